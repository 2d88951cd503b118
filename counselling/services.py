"""The counselling sheet: designed by the owner, filled in on the customer's phone (through a link
or QR code without an account, or from the app), then filed by staff onto a customer."""

import base64
import binascii
import datetime
import hashlib
import io
import secrets
import uuid
from typing import Any, cast

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from audit.models import AuditEntry
from audit.services import audit_log
from common.actors import Actor
from common.idempotency import create_once
from common.ordering import last_position, move_in_order
from customers.models import Customer
from customers.services import customer_create, customer_update
from salons.models import Salon

from . import actions, presets
from .consent import record_sha256, sheet_version_for
from .models import Question, ResponseStatus, Sheet, SheetLink, SheetResponse

# The counter's QR code serves everyone who comes in during one working day.
COUNTER_LINK_LIFETIME = datetime.timedelta(hours=12)
# A link sent to one person is used once, within a week.
SENT_LINK_LIFETIME = datetime.timedelta(days=7)
SIGNATURE_MAX_BYTES = 600_000
SIGNATURE_MAX_SIDE = 2000
# The fields a sheet may fill on a customer who has them empty.
IDENTITY_FIELDS = ("kana", "phone", "email", "birthday")


class SheetLinkError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    @property
    def message(self) -> str:
        return str(LINK_MESSAGES[self.reason])


LINK_MESSAGES = {
    "unknown": _("This link is not valid. Please ask the salon for a new one."),
    "expired": _("This link has expired. Please ask the salon for a new one."),
    "used": _("This link has already been used to send a sheet. Please ask the salon for a new one."),
}


class SignatureError(ValueError):
    pass


def sheet_get(*, salon: Salon) -> Sheet:
    sheet, _created = Sheet.objects.get_or_create(salon=salon)
    return sheet


def sheet_update(*, sheet: Sheet, actor: Actor) -> None:
    sheet.save()
    audit_log(
        salon=sheet.salon, actor=actor, action=actions.SHEET_CHANGE, target=sheet, summary=str(_("Sheet"))
    )


def question_save(*, question: Question, actor: Actor) -> Question:
    if question.pk is None:
        question.position = last_position(Question.objects.filter(salon=question.salon)) + 1
    question.save()
    audit_log(
        salon=question.salon,
        actor=actor,
        action=actions.SHEET_CHANGE,
        target=question,
        summary=question.label,
    )
    return question


def question_delete(*, question: Question, actor: Actor) -> None:
    """Past answers keep the question's wording, so removing it changes no sheet already sent."""
    audit_log(
        salon=question.salon,
        actor=actor,
        action=actions.SHEET_CHANGE,
        target=question,
        summary=question.label,
        data={"deleted": True},
    )
    question.delete()


def question_move(*, question: Question, step: int) -> None:
    """Swap a question with its neighbour above (step -1) or below (step 1)."""
    move_in_order(Question.objects.filter(salon=question.salon), question, step)


def sheet_preset_apply(*, salon: Salon, salon_type: str, actor: Actor) -> None:
    """Start an empty sheet from the questions and consent of a kind of salon."""
    with transaction.atomic():
        Salon.objects.select_for_update().filter(pk=salon.pk).first()
        if Question.objects.filter(salon=salon).exists():
            return
        Question.objects.bulk_create(
            Question(
                salon=salon,
                position=position,
                kind=kind,
                label=str(label),
                required=required,
                choices=[str(choice) for choice in choices],
            )
            for position, (kind, label, required, choices) in enumerate(
                presets.QUESTIONS[salon_type], start=1
            )
        )
        sheet = sheet_get(salon=salon)
        sheet.intro = sheet.intro or str(presets.INTRO)
        sheet.consent_text = sheet.consent_text or str(presets.CONSENT[salon_type])
        sheet.save()
        audit_log(
            salon=salon,
            actor=actor,
            action=actions.SHEET_CHANGE,
            target=sheet,
            summary=str(_("Sheet")),
            data={"preset": salon_type},
        )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sheet_link_create(
    *, salon: Salon, actor: Actor, single_use: bool, note: str = ""
) -> tuple[SheetLink, str]:
    """A new way in to the sheet. The token is returned once, for the QR code or the message; only
    its hash is kept, so nobody can read a working link back out of the database."""
    token = secrets.token_urlsafe(20)  # 160 bits
    lifetime = SENT_LINK_LIFETIME if single_use else COUNTER_LINK_LIFETIME
    link = SheetLink.objects.create(
        salon=salon,
        token_hash=_token_hash(token),
        single_use=single_use,
        note=note,
        expires_at=timezone.now() + lifetime,
        created_by=actor,
    )
    audit_log(
        salon=salon,
        actor=actor,
        action=actions.SHEET_LINK,
        target=link,
        summary=note or str(_("QR code at the counter")),
        data={"single_use": single_use},
    )
    return link, token


def _check_open(link: SheetLink | None) -> SheetLink:
    if link is None:
        raise SheetLinkError("unknown")
    if link.single_use and link.used_at is not None:
        raise SheetLinkError("used")
    if link.expires_at <= timezone.now():
        raise SheetLinkError("expired")
    return link


def sheet_link_find(*, salon: Salon, token: str) -> SheetLink:
    """The open link with this token, or SheetLinkError saying why not."""
    return _check_open(SheetLink.objects.filter(salon=salon, token_hash=_token_hash(token)).first())


def signature_png(data_url: str) -> bytes:
    """The signature drawn on the phone as a fresh PNG: decoded, checked and drawn again onto a
    white page, so that nothing but the strokes is kept (no metadata of any kind)."""
    prefix = "data:image/png;base64,"
    if not data_url.startswith(prefix):
        raise SignatureError("not a PNG data URL")
    try:
        raw = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("bad base64") from None
    if len(raw) > SIGNATURE_MAX_BYTES:
        raise SignatureError("too large")
    try:
        with Image.open(io.BytesIO(raw)) as drawn:
            if drawn.format != "PNG" or max(drawn.size) > SIGNATURE_MAX_SIDE:
                raise SignatureError("not a signature-sized PNG")
            drawn.load()
            page = Image.new("RGB", drawn.size, "white")
            rgba = drawn.convert("RGBA")
            page.paste(rgba, mask=rgba.getchannel("A"))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise SignatureError("unreadable") from None
    grey = page.convert("L")
    darkest = cast(tuple[int, int], grey.getextrema())[0]
    if darkest > 200:
        raise SignatureError("blank")  # nothing darker than pale grey: nobody signed
    out = io.BytesIO()
    grey.save(out, format="PNG", optimize=True)
    return out.getvalue()


def sheet_response_submit(
    *,
    salon: Salon,
    source: str,
    answers: list[dict[str, Any]],
    identity: dict[str, Any],
    signature: bytes | None,
    link: SheetLink | None = None,
    customer: Customer | None = None,
    client_key: uuid.UUID | None = None,
    device_label: str = "",
) -> SheetResponse:
    """Keep a filled-in sheet. A single-use link is used up in the same transaction, so the same
    link sent twice at once keeps one sheet; the same form sent twice (a double tap, a resend after
    a lost reply), in turn or at once, keeps one sheet through its client key. From the app the
    sender is known: the sheet is filed onto that customer at once."""
    sheet = sheet_get(salon=salon)
    return create_once(
        SheetResponse.objects.all(),
        client_key,
        lambda: _response_create(
            salon=salon, sheet=sheet, source=source, answers=answers, identity=identity,
            signature=signature, link=link, customer=customer, client_key=client_key,
            device_label=device_label,
        ),
    )  # fmt: skip


def sheet_response_sent(*, client_key: uuid.UUID | None) -> SheetResponse | None:
    """The sheet already kept for this form, when it is sent again."""
    if client_key is None:
        return None
    return SheetResponse.objects.filter(client_key=client_key).first()


def _response_create(
    *,
    salon: Salon,
    sheet: Sheet,
    source: str,
    answers: list[dict[str, Any]],
    identity: dict[str, Any],
    signature: bytes | None,
    link: SheetLink | None,
    customer: Customer | None,
    client_key: uuid.UUID | None,
    device_label: str,
) -> SheetResponse:
    with transaction.atomic():
        if link is not None:
            link = _check_open(SheetLink.objects.select_for_update().filter(pk=link.pk).first())
            if link.single_use:
                link.used_at = timezone.now()
                link.save(update_fields=["used_at"])
        response = SheetResponse(
            salon=salon,
            link=link,
            source=source,
            answers=answers,
            consent_text=sheet.consent_text if signature else "",
            client_key=client_key,
            form_version=sheet_version_for(sheet=sheet, questions=list(Question.objects.filter(salon=salon))),
            device_label=device_label,
            submitted_at=timezone.now(),
            **identity,
        )
        if customer is not None:
            response.customer = customer
            response.status = ResponseStatus.FILED
            response.filed_at = timezone.now()
            response.name = customer.name
        if signature:
            response.signature_sha256 = hashlib.sha256(signature).hexdigest()
            response.signature_size = len(signature)
            response.signature.save("signature.png", ContentFile(signature), save=False)
        response.record_sha256 = record_sha256(response)
        try:
            response.save()
        except Exception:
            if response.signature.name:
                default_storage.delete(response.signature.name)
            raise
        audit_log(
            salon=salon,
            actor=None,
            action=actions.SHEET_RECEIVE,
            target=response,
            summary=response.name,
            data={"source": source, "signed": bool(signature)},
        )
    return response


def _file(response: SheetResponse, customer: Customer, actor: Actor, data: dict[str, Any]) -> None:
    response.customer = customer
    response.status = ResponseStatus.FILED
    response.filed_at = timezone.now()
    response.filed_by = actor
    response.save(update_fields=["customer", "status", "filed_at", "filed_by"])
    audit_log(
        salon=response.salon,
        actor=actor,
        action=actions.SHEET_FILE,
        target=response,
        summary=customer.name,
        data={"customer": customer.pk, **data},
    )


def sheet_response_file(*, response: SheetResponse, customer: Customer, actor: Actor) -> list[str]:
    """File a received sheet onto a customer already kept. What the customer's record lacks (furigana,
    phone, email, birthday) is taken from the sheet; nothing already kept is overwritten. Returns the
    names of the fields filled in."""
    with transaction.atomic():
        filled = {
            name: getattr(response, name)
            for name in IDENTITY_FIELDS
            if getattr(response, name) and not getattr(customer, name)
        }
        if filled:
            customer_update(customer=customer, actor=actor, data=filled)
        _file(response, customer, actor, {"filled": sorted(filled)})
    return sorted(filled)


def sheet_response_file_new(*, response: SheetResponse, actor: Actor) -> Customer:
    """File a received sheet as a new customer, made from what the sender wrote about themselves."""
    with transaction.atomic():
        customer = customer_create(
            salon=response.salon,
            actor=actor,
            data={"name": response.name, **{name: getattr(response, name) for name in IDENTITY_FIELDS}},
        )
        _file(response, customer, actor, {"new": True})
    return customer


def sheet_response_delete(*, response: SheetResponse, actor: Actor) -> None:
    """Throw a sheet away for good (sent by mistake, twice, or in jest), its signature file too."""
    name = response.signature.name
    with transaction.atomic():
        # What was logged about the sheet named its sender: only that a sheet was deleted stays.
        AuditEntry.objects.filter(target_type="sheetresponse", target_id=str(response.pk)).update(
            summary="", data={}
        )
        audit_log(
            salon=response.salon,
            actor=actor,
            action=actions.SHEET_DELETE,
            target=response,
            summary=f"#{response.pk}",
            data={"source": response.source},
        )
        response.delete()
        if name:
            transaction.on_commit(lambda: default_storage.delete(name))
