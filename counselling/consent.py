"""What a signed sheet can show later: the exact consent and questions it showed (a numbered
version of the salon's sheet, with its SHA-256), the server's time, how it was reached, the linked
phone if it came from the app, and a SHA-256 over all of it with the answers and the signature.

A finger signature is not an electronic signature under the 電子署名法; its weight comes from this
record around it. A sheet is never edited after it is sent (a correction is a new sheet), and
`manage.py verify_media` checks that every sheet still matches its record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max

from .models import Question, Sheet, SheetResponse, SheetVersion


def _digest(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def form_shown(sheet: Sheet, questions: Sequence[Question]) -> dict[str, Any]:
    """The consent and the questions exactly as the form showed them, in order."""
    return {
        "consent_text": sheet.consent_text,
        "questions": [
            {
                "label": question.label,
                "kind": question.kind,
                "help_text": question.help_text,
                "choices": list(question.choices),
                "required": question.required,
            }
            for question in questions
        ],
    }


def sheet_version_for(*, sheet: Sheet, questions: Sequence[Question]) -> SheetVersion:
    """The numbered version of the salon's sheet with this consent and these questions: the one
    already kept, or the next number (made under a lock on the sheet, so two first sends of a
    changed sheet share one number)."""
    form = form_shown(sheet, questions)
    sha256 = _digest(form)
    found = SheetVersion.objects.filter(salon_id=sheet.salon_id, sha256=sha256).first()
    if found is not None:
        return found
    with transaction.atomic():
        Sheet.objects.select_for_update().filter(pk=sheet.pk).first()
        found = SheetVersion.objects.filter(salon_id=sheet.salon_id, sha256=sha256).first()
        if found is not None:
            return found
        highest = SheetVersion.objects.filter(salon_id=sheet.salon_id).aggregate(highest=Max("number"))[
            "highest"
        ]
        return SheetVersion.objects.create(
            salon_id=sheet.salon_id, number=(highest or 0) + 1, sha256=sha256, form=form
        )


def record_fields(response: SheetResponse) -> dict[str, Any]:
    """Everything the record's SHA-256 covers, as it was when the sheet was sent."""
    return {
        "answers": response.answers,
        "identity": {
            "name": response.name,
            "kana": response.kana,
            "phone": response.phone,
            "email": response.email,
            "birthday": response.birthday.isoformat() if response.birthday else None,
        },
        "consent_text": response.consent_text,
        "form_sha256": response.form_version.sha256 if response.form_version is not None else "",
        "submitted_at": response.submitted_at.isoformat(),
        "source": response.source,
        "device": response.device_label,
        "signature_sha256": response.signature_sha256,
    }


def record_sha256(response: SheetResponse) -> str:
    return _digest(record_fields(response))


def altered_sheets() -> Iterator[str]:
    """Sheets that no longer match their record (an answer, the consent or the signature's
    checksum changed since they were sent), for verify_media."""
    responses = SheetResponse.objects.exclude(record_sha256="").select_related("form_version").order_by("pk")
    for response in responses.iterator(chunk_size=500):
        version = response.form_version
        if record_sha256(response) != response.record_sha256:
            yield f"sheet {response.pk} ({response.submitted_at:%Y-%m-%d})"
        elif version is not None and _digest(version.form) != version.sha256:
            yield f"sheet {response.pk}: its version {version.number} was altered"
