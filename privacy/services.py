"""The customer's data rights (Japan's APPI): everything about one customer as a ZIP, deletion for
good, and the customer's own request from the app."""

import json
import unicodedata
import zipfile
from collections.abc import Iterator
from typing import Any

from django.core.files.storage import default_storage
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from audit.actions import action_label
from audit.models import AuditEntry
from audit.services import audit_log
from common.actors import Actor

from . import actions
from .models import DataRequest
from .parts import ExportPlan, customer_data_parts, when

CHUNK = 1024 * 1024
AUDIT_CONTENTS = _("who at the salon created, changed or published what about you, and when")


class ConfirmationMismatch(Exception):
    """The name typed to confirm a deletion is not the customer's."""


def _audit_about(customer: Any) -> models.QuerySet[AuditEntry]:
    """The audit entries about this customer or anything of theirs, as each part names them."""
    entries = AuditEntry.objects.none()
    for part in customer_data_parts():
        for target_type, target_ids in part.audit_targets(customer).items():
            entries = entries | AuditEntry.objects.filter(target_type=target_type, target_id__in=target_ids)
    return entries


def customer_export_plan(
    *, customer: Any, actor: Actor, plan: ExportPlan | None = None, prefix: str = ""
) -> ExportPlan:
    """Collect what the salon holds about one customer, and record that it was exported.

    Each app adds its own document (its ``customer_data.py``). With a plan and a prefix, the
    customer's files are added under that folder of a salon export.
    """
    plan = plan or ExportPlan(filename=f"customer-{customer.pk}-{timezone.localdate():%Y%m%d}.zip")
    documents = {part.document: part.export(customer, plan, prefix) for part in customer_data_parts()}
    documents["audit.json"] = [
        {"at": when(e.created_at), "by": e.actor_name, "action": action_label(e.action), "summary": e.summary}
        for e in _audit_about(customer).order_by("created_at", "pk")
    ]
    with translation.override("ja"):
        contents = [entry for part in customer_data_parts() for entry in part.contents]
        contents.append(("audit.json", AUDIT_CONTENTS))
        plan.documents[f"{prefix}README.txt"] = render_to_string(
            "privacy/export_readme.txt",
            {
                "customer": customer,
                "salon": customer.salon,
                "now": timezone.localtime(),
                "contents": contents,
            },
        )
    for name, content in documents.items():
        if name:
            plan.documents[prefix + name] = json.dumps(content, ensure_ascii=False, indent=2)
    audit_log(
        salon=customer.salon,
        actor=actor,
        action=actions.CUSTOMER_EXPORT,
        target=customer,
        summary=customer.name,
        data={"kartes": len(documents.get("kartes.json") or []), "files": len(plan.files)},
    )
    return plan


class _Sink:
    """A write-only stream that hands over what was written so far; zipfile writes to it."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes | memoryview) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def export_zip_chunks(plan: ExportPlan) -> Iterator[bytes]:
    """The ZIP, a piece at a time: never the whole archive, nor a whole photo, in memory."""
    sink = _Sink()
    archive = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED)  # type: ignore[call-overload]
    for name, text in plan.documents.items():
        archive.writestr(name, text.encode())
        yield sink.take()
    for arcname, stored in plan.files:
        info = zipfile.ZipInfo(arcname, date_time=timezone.localtime().timetuple()[:6])
        info.compress_type = zipfile.ZIP_STORED  # photos are compressed already
        with default_storage.open(stored, "rb") as source, archive.open(info, "w", force_zip64=True) as out:
            while chunk := source.read(CHUNK):
                out.write(chunk)
                yield sink.take()
    archive.close()
    yield sink.take()


def delete_after_commit(names: list[str]) -> None:
    """Files go only once the rows that named them are gone for good."""

    def delete() -> None:
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(delete)


def _same_name(typed: str, name: str) -> bool:
    def fold(text: str) -> str:
        return "".join(unicodedata.normalize("NFKC", text).split())

    return bool(typed.strip()) and fold(typed) == fold(name)


def customer_erase(*, customer: Any, actor: Actor, confirm_name: str) -> dict[str, int]:
    """Delete a customer for good: each app's rows and stored files (its ``customer_data.py``),
    then the customer.

    The audit log keeps that a deletion happened and by whom, with counts but no personal data;
    earlier entries about the customer lose their summaries (which held the name).
    """
    if not _same_name(confirm_name, customer.name):
        raise ConfirmationMismatch
    return customer_erase_now(customer=customer, actor=actor, action=actions.CUSTOMER_ERASE)


def customer_erase_now(*, customer: Any, actor: Actor, action: Any) -> dict[str, int]:
    """The deletion itself, for staff's confirmed request and for the salon's retention period."""
    with transaction.atomic():
        _audit_about(customer).update(summary="", data={})
        counts: dict[str, int] = {}
        files: list[str] = []
        for part in sorted(customer_data_parts(), key=lambda part: part.erase_order):
            erased = part.erase(customer)
            counts.update(erased.counts)
            files += erased.files
        audit_log(
            salon=customer.salon,
            actor=actor,
            action=action,
            target=customer,
            summary=f"#{customer.pk}",
            data=counts,
        )
        customer.delete()
        delete_after_commit(files)
    return counts


def data_request_create(*, customer: Any) -> DataRequest:
    """Record the customer's request; one open request at a time, however often they tap."""
    with transaction.atomic():
        request = DataRequest.objects.filter(customer=customer, handled_at__isnull=True).first()
        if request is not None:
            return request
        request = DataRequest.objects.create(salon=customer.salon, customer=customer)
        audit_log(
            salon=customer.salon,
            actor=None,
            action=actions.DATA_REQUEST,
            target=customer,
            summary=customer.name,
        )
    return request


def data_request_handle(*, request: DataRequest) -> None:
    DataRequest.objects.filter(pk=request.pk, handled_at__isnull=True).update(handled_at=timezone.now())
