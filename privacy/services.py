"""The customer's data rights (Japan's APPI): everything about one customer as a ZIP, deletion for
good, and the customer's own request from the app."""

import datetime
import json
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from audit.models import Action, AuditEntry
from audit.services import audit_log
from counselling.models import SheetResponse
from customers.models import Customer
from kartes.models import ImageAsset, Karte, KarteItem
from linking.models import Device, LinkCode
from notices.models import Notice, NoticeRead
from transfer.models import ExportJob

from .models import DataRequest

CHUNK = 1024 * 1024


class ConfirmationMismatch(Exception):
    """The name typed to confirm a deletion is not the customer's."""


def _when(value) -> str | None:
    return value.isoformat() if value else None


def _targets(customer: Customer) -> dict[str, set[str]]:
    """The audit targets that are this customer or belong to them."""
    kartes = list(Karte.objects.filter(customer=customer).values_list("pk", flat=True))
    return {
        "customer": {str(customer.pk)},
        "karte": {str(pk) for pk in kartes},
        "karteitem": {
            str(pk) for pk in KarteItem.objects.filter(karte__in=kartes).values_list("pk", flat=True)
        },
        "device": {str(pk) for pk in Device.objects.filter(customer=customer).values_list("pk", flat=True)},
        "notice": {str(pk) for pk in Notice.objects.filter(customer=customer).values_list("pk", flat=True)},
        "sheetresponse": {
            str(pk) for pk in SheetResponse.objects.filter(customer=customer).values_list("pk", flat=True)
        },
    }


def _audit_about(customer: Customer):
    entries = AuditEntry.objects.none()
    for target_type, ids in _targets(customer).items():
        entries = entries | AuditEntry.objects.filter(target_type=target_type, target_id__in=ids)
    return entries


@dataclass
class ExportPlan:
    """Everything to put in the ZIP, read from the database up front: the ZIP itself is then
    written piece by piece from storage, outside the request's salon scope and transaction."""

    filename: str
    documents: dict[str, str] = field(default_factory=dict)
    files: list[tuple[str, str]] = field(default_factory=list)  # (name in the ZIP, storage name)


def customer_export_plan(
    *, customer: Customer, actor, plan: ExportPlan | None = None, prefix: str = ""
) -> ExportPlan:
    """Collect what the salon holds about one customer, and record that it was exported.

    With a plan and a prefix, the customer's files are added under that folder of a salon export.
    """
    plan = plan or ExportPlan(filename=f"customer-{customer.pk}-{timezone.localdate():%Y%m%d}.zip")
    kartes = []
    for karte in (
        Karte.objects.filter(customer=customer).select_related("staff").order_by("treatment_date", "pk")
    ):
        items = []
        for item in karte.items.select_related("image").order_by("position", "pk"):
            files = []
            if item.image is not None:
                base = f"{prefix}photos/{karte.treatment_date:%Y-%m-%d}_karte{karte.pk}_item{item.pk}"
                ext = item.image.original_extension
                stored_files = [(f"{base}_original.{ext}", item.image.original.name)]
                if item.image.is_ready:
                    stored_files.append((f"{base}_display.webp", item.image.large.name))
                for arcname, stored in stored_files:
                    plan.files.append((arcname, stored))
                    files.append(arcname)
            items.append(
                {
                    "kind": item.kind,
                    "public": item.is_public,
                    "shown_in_app": "公開" if item.is_public else "非公開",
                    "text": item.text,
                    "caption": item.caption,
                    "before_after": item.photo_tag,
                    "drawing_strokes": item.drawing,
                    "colour_recipe": item.recipe,
                    "published_at": _when(item.published_at),
                    "files": files,
                }
            )
        kartes.append(
            {
                "treatment_date": karte.treatment_date.isoformat(),
                "staff": karte.staff.display_name,
                "requested_staff": karte.nominated,
                "menu": karte.menu,
                "menu_lines": karte.menu_lines,
                "created_at": _when(karte.created_at),
                "updated_at": _when(karte.updated_at),
                "items": items,
            }
        )
    reads = NoticeRead.objects.filter(customer=customer).select_related("notice")
    documents = {
        "customer.json": {
            name: (_when(value) if isinstance(value, datetime.date | datetime.datetime) else value)
            for name, value in (
                ("customer_number", customer.number_display),
                ("name", customer.name),
                ("furigana", customer.kana),
                ("phone", customer.phone),
                ("other_phone", customer.other_phone),
                ("email", customer.email),
                ("birthday", customer.birthday),
                ("gender", customer.gender),
                ("postcode", customer.postcode),
                ("address", customer.address),
                ("allergies_and_cautions", customer.allergies),
                ("staff_memo", customer.memo),
                ("last_visit", customer.last_visit_on),
                ("archived_at", customer.archived_at),
                ("created_at", customer.created_at),
            )
        },
        "kartes.json": kartes,
        "notices.json": {
            "to_this_customer": [
                {
                    "title": n.title,
                    "body": n.body,
                    "shown_from": _when(n.starts_at),
                    "shown_until": _when(n.ends_at),
                }
                for n in Notice.objects.filter(customer=customer).order_by("starts_at", "pk")
            ],
            "read": [
                {"title": r.notice.title, "read_at": _when(r.read_at)} for r in reads.order_by("read_at")
            ],
        },
        "phones.json": [
            {
                "phone": d.label,
                "linked_at": _when(d.linked_at),
                "last_seen_at": _when(d.last_seen_at),
                "unlinked_at": _when(d.revoked_at),
            }
            for d in Device.objects.filter(customer=customer).order_by("linked_at", "pk")
        ],
        "audit.json": [
            {
                "at": _when(e.created_at),
                "by": e.actor_name,
                "action": e.get_action_display(),
                "summary": e.summary,
            }
            for e in _audit_about(customer).order_by("created_at", "pk")
        ],
        "requests.json": [
            {"asked_at": _when(r.created_at), "handled_at": _when(r.handled_at)}
            for r in DataRequest.objects.filter(customer=customer)
        ],
        "counselling_sheets.json": _sheets_export(customer, plan, prefix),
    }
    with translation.override("ja"):
        plan.documents[f"{prefix}README.txt"] = render_to_string(
            "privacy/export_readme.txt",
            {"customer": customer, "salon": customer.salon, "now": timezone.localtime()},
        )
    for name, content in documents.items():
        plan.documents[prefix + name] = json.dumps(content, ensure_ascii=False, indent=2)
    audit_log(
        salon=customer.salon,
        actor=actor,
        action=Action.CUSTOMER_EXPORT,
        target=customer,
        summary=customer.name,
        data={"kartes": len(kartes), "files": len(plan.files)},
    )
    return plan


def _sheets_export(customer: Customer, plan: ExportPlan, prefix: str) -> list[dict]:
    sheets = []
    for response in SheetResponse.objects.filter(customer=customer).order_by("submitted_at", "pk"):
        signature = ""
        if response.signature:
            signature = f"{prefix}signatures/{response.submitted_at:%Y-%m-%d}_sheet{response.pk}.png"
            plan.files.append((signature, response.signature.name))
        sheets.append(
            {
                "sent_at": _when(response.submitted_at),
                "sent_from": response.get_source_display(),
                "answers": [{"question": a["label"], "answer": a["value"]} for a in response.answers],
                "consent": response.consent_text,
                "signature": signature,
            }
        )
    return sheets


class _Sink:
    """A write-only stream that hands over what was written so far; zipfile writes to it."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data) -> int:
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


def _delete_after_commit(names: list[str]) -> None:
    """Files go only once the rows that named them are gone for good."""

    def delete() -> None:
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(delete)


def _same_name(typed: str, name: str) -> bool:
    def fold(text: str) -> str:
        return "".join(unicodedata.normalize("NFKC", text).split())

    return bool(typed.strip()) and fold(typed) == fold(name)


def customer_erase(*, customer: Customer, actor, confirm_name: str) -> dict[str, int]:
    """Delete a customer for good: rows, photo files, phones, codes and reads.

    The audit log keeps that a deletion happened and by whom, with counts but no personal data;
    earlier entries about the customer lose their summaries (which held the name). A linked phone
    finds its credential gone and shows the unlinked screen on its next request.
    """
    if not _same_name(confirm_name, customer.name):
        raise ConfirmationMismatch
    with transaction.atomic():
        images = list(ImageAsset.objects.filter(item__karte__customer=customer))
        signatures = list(
            SheetResponse.objects.filter(customer=customer)
            .exclude(signature="")
            .values_list("signature", flat=True)
        )
        counts = {
            "kartes": Karte.objects.filter(customer=customer).count(),
            "photos": len(images),
            "phones": Device.objects.filter(customer=customer).count(),
            "notices": Notice.objects.filter(customer=customer).count(),
        }
        _audit_about(customer).update(summary="", data={})
        audit_log(
            salon=customer.salon,
            actor=actor,
            action=Action.CUSTOMER_ERASE,
            target=customer,
            summary=f"#{customer.pk}",
            data=counts,
        )
        NoticeRead.objects.filter(customer=customer).delete()
        LinkCode.objects.filter(customer=customer).delete()
        Device.objects.filter(customer=customer).delete()
        KarteItem.objects.filter(karte__customer=customer).delete()
        ImageAsset.objects.filter(pk__in=[image.pk for image in images]).delete()
        customer.delete()  # kartes, notices to them and their requests go with it
        names = [f.name for image in images for f in image.stored_files()] + signatures

        _delete_after_commit(names)
    return counts


def data_request_create(*, customer: Customer) -> DataRequest:
    """Record the customer's request; one open request at a time, however often they tap."""
    with transaction.atomic():
        request = DataRequest.objects.filter(customer=customer, handled_at__isnull=True).first()
        if request is not None:
            return request
        request = DataRequest.objects.create(salon=customer.salon, customer=customer)
        audit_log(
            salon=customer.salon,
            actor=None,
            action=Action.DATA_REQUEST,
            target=customer,
            summary=customer.name,
        )
    return request


def data_request_handle(*, request: DataRequest) -> None:
    DataRequest.objects.filter(pk=request.pk, handled_at__isnull=True).update(handled_at=timezone.now())


def salon_export_plan(*, salon) -> ExportPlan:
    """Everything of one salon for its operator: the salon, its staff, and each customer's export."""
    from salons.models import StaffMember

    plan = ExportPlan(filename=f"salon-{salon.slug}-{timezone.localdate():%Y%m%d}.zip")
    plan.documents["salon.json"] = json.dumps(
        {
            "name": salon.name,
            "slug": salon.slug,
            "customer_app": salon.customer_app_enabled,
            "time_zone": salon.timezone,
        },
        ensure_ascii=False,
        indent=2,
    )
    staff = [
        {"name": m.display_name, "login": m.user.get_username(), "role": m.role, "active": m.is_active}
        for m in StaffMember.objects.select_related("user").order_by("pk")
    ]
    plan.documents["staff.json"] = json.dumps(staff, ensure_ascii=False, indent=2)
    customers = Customer.objects.order_by("pk")
    for customer in customers:
        customer_export_plan(customer=customer, actor=None, plan=plan, prefix=f"customers/{customer.pk}/")
    audit_log(salon=salon, actor=None, action=Action.SALON_EXPORT, target=salon, summary=salon.name,
              data={"customers": customers.count(), "files": len(plan.files)})  # fmt: skip
    return plan


def salon_erase(*, salon) -> dict[str, int]:
    """Delete a salon and everything of it for good, files included. Returns what went."""
    from kartes.models import ImageAsset as Asset

    customers = list(Customer.objects.all())
    for customer in customers:
        customer_erase(customer=customer, actor=None, confirm_name=customer.name)
    leftovers = list(Asset.objects.all())  # uploads never saved into a karte
    names = [f.name for a in leftovers for f in a.stored_files()]
    # Exports not yet expired hold copies of everything: they go with the salon.
    names += [name for name in ExportJob.objects.exclude(file="").values_list("file", flat=True)]
    # Sheets never filed onto a customer keep their signatures until the salon goes.
    names += list(SheetResponse.objects.exclude(signature="").values_list("signature", flat=True))
    if salon.logo:
        names.append(salon.logo.name)
    with transaction.atomic():
        Asset.objects.filter(pk__in=[a.pk for a in leftovers]).delete()
        users = [m.user_id for m in salon.staff.all()]
        salon.delete()
        from django.contrib.auth import get_user_model

        get_user_model().objects.filter(pk__in=users, is_superuser=False).delete()

        _delete_after_commit(names)
    return {"customers": len(customers), "files": len(names), "staff_logins": len(users)}
