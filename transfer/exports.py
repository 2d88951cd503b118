"""Exports the owner asks for: customers or kartes as CSV for Excel, or everything as a ZIP with the
photos. Made by a background task (transfer.tasks), kept for a day, then deleted."""

import datetime
import os
import tempfile
import zipfile
from collections.abc import Iterator

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from audit.services import audit_log
from common.faults import fault_point
from common.tasks import enqueue_safely
from customers.models import Customer, number_text
from kartes.models import RECIPE_COLUMNS, ItemKind, Karte, KarteItem
from salons.models import Salon

from . import actions, customer_csv
from .models import ExportJob, ExportKind, ExportStatus

KEPT_FOR = datetime.timedelta(days=1)
CHUNK = 2000
PROGRESS_EVERY = 500
COPY_CHUNK = 1024 * 1024

KARTE_HEADER = [
    *("顧客番号", "氏名", "来店日", "担当", "指名", "メニュー", "合計金額"),
    *("項目", "公開", "テキスト", "説明", "ビフォーアフター", "カラーレシピ", "ファイル"),
]
KIND_WRITTEN = {
    ItemKind.PHOTO: "写真",
    ItemKind.ILLUSTRATION: "手書きイラスト",
    ItemKind.TEXT: "テキスト",
    ItemKind.RECIPE: "カラーレシピ",
}
TAG_WRITTEN = {"before": "ビフォー", "after": "アフター"}


def export_request(*, salon: Salon, actor, kind: str, encoding: str) -> ExportJob:
    """Record the owner's request and hand it to the task queue."""
    from .tasks import export_make

    job = ExportJob.objects.create(
        salon=salon, requested_by=actor, kind=kind, encoding=encoding, heartbeat_at=timezone.now()
    )
    audit_log(
        salon=salon,
        actor=actor,
        action=actions.DATA_EXPORT,
        target=job,
        summary=str(ExportKind(kind).label),
        data={"kind": kind, "encoding": encoding, "step": "requested"},
    )
    enqueue_safely(export_make, salon.pk, job.pk)
    return job


def export_downloaded(*, job: ExportJob, actor) -> None:
    audit_log(
        salon=job.salon,
        actor=actor,
        action=actions.DATA_EXPORT,
        target=job,
        summary=str(ExportKind(job.kind).label),
        data={"kind": job.kind, "step": "downloaded", "bytes": job.size},
    )


def _progress(job: ExportJob, done: int) -> None:
    ExportJob.objects.filter(pk=job.pk).update(done=done, heartbeat_at=timezone.now())


KARTE_ORDER = ("customer__number", "customer_id", "treatment_date", "id")
KARTE_FIELDS = ("id", "customer__number", "customer__name", "treatment_date", "staff__display_name",
                "nominated", "menu", "menu_lines")  # fmt: skip
ITEM_FIELDS = ("id", "karte_id", "kind", "is_public", "text", "caption", "photo_tag", "recipe")


def _karte_rows(*, photo_paths: dict[int, str] | None = None) -> Iterator[list[str]]:
    """One row per item of each karte (a karte without items has one row), private items marked.

    Two plain reads in the same order, walked side by side: no model objects and no query per
    karte, however many kartes the salon keeps.
    """
    kartes = Karte.objects.order_by(*KARTE_ORDER).values_list(*KARTE_FIELDS).iterator(chunk_size=CHUNK)
    items = (
        KarteItem.objects.order_by(*(f"karte__{key}" for key in KARTE_ORDER), "position", "id")
        .values_list(*ITEM_FIELDS)
        .iterator(chunk_size=CHUNK)
    )
    pending = next(items, None)
    for karte_id, number, name, date, staff, nominated, menu, lines in kartes:
        prices = [line["price"] for line in lines or [] if line.get("price") is not None]
        head = [
            number_text(number),
            name,
            date.strftime("%Y/%m/%d"),
            staff,
            "指名" if nominated else "",
            menu,
            str(sum(prices)) if prices else "",
        ]
        wrote = False
        while pending is not None and pending[1] == karte_id:
            item_id, _karte, kind, public, text, caption, tag, recipe = pending
            wrote = True
            yield [
                *head,
                KIND_WRITTEN.get(kind, kind),
                "公開" if public else "非公開",
                text,
                caption,
                TAG_WRITTEN.get(tag, ""),
                _recipe_text(recipe),
                (photo_paths or {}).get(item_id, ""),
            ]
            pending = next(items, None)
        if not wrote:
            yield [*head, *[""] * 7]


def _recipe_text(recipe) -> str:
    return " / ".join(
        "、".join(f"{label}: {row[name]}" for name, label in RECIPE_COLUMNS.items() if row.get(name))
        for row in recipe or []
    )


def _write_csv(out, rows, encoding: str) -> None:
    # Written in slices so that a million kartes never sit in memory at once.
    first = True
    batch: list[list[str]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            out.write(_encoded(batch, encoding, first))
            first, batch = False, []
    out.write(_encoded(batch, encoding, first))


def _encoded(rows, encoding: str, first: bool) -> bytes:
    data = customer_csv.encode_csv(rows, encoding)
    return data if first or encoding == "cp932" else data.removeprefix(b"\xef\xbb\xbf")


def _counting(rows, job: ExportJob, done: list[int]):
    """The rows, moving the job's progress on as they are written."""
    for row in rows:
        yield row
        done[0] += 1
        if done[0] % PROGRESS_EVERY == 0:
            _progress(job, done[0])


def _customers_csv(out, job: ExportJob, done: list[int]) -> None:
    values = Customer.objects.order_by("number", "pk").values_list(*customer_csv.COLUMNS)
    rows = customer_csv.customer_rows(values.iterator(chunk_size=CHUNK))
    _write_csv(out, _counting(_with_header(customer_csv.header_row(), rows), job, done), job.encoding)


def _with_header(header, rows):
    yield header
    yield from rows


def _build_csv(job: ExportJob, path: str) -> str:
    done = [0]
    with open(path, "wb") as out:
        if job.kind == ExportKind.CUSTOMERS:
            _customers_csv(out, job, done)
            return f"customers-{timezone.localdate():%Y%m%d}.csv"
        rows = _karte_rows()
        _write_csv(out, _counting(_with_header(KARTE_HEADER, rows), job, done), job.encoding)
    return f"kartes-{timezone.localdate():%Y%m%d}.csv"


def _build_archive(job: ExportJob, path: str) -> str:
    """customers.csv, kartes.csv (each item's file in its last column) and photos/ with the originals."""
    items = KarteItem.objects.filter(image__isnull=False).select_related("image", "karte__customer")
    photo_paths: dict[int, str] = {}
    files: list[tuple[str, str]] = []
    for item in items.order_by("karte__customer__number", "karte__treatment_date", "pk").iterator(
        chunk_size=CHUNK
    ):
        customer, image = item.karte.customer, item.image
        assert image is not None
        folder = customer.number_display or f"id{customer.pk}"
        ext = image.original_extension
        name = f"photos/{folder}/{item.karte.treatment_date:%Y%m%d}_{item.pk}.{ext}"
        photo_paths[item.pk] = name
        files.append((name, image.original.name))
    done = [0]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        with tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR) as part:
            _customers_csv(part, job, done)
            part.seek(0)
            with archive.open("customers.csv", "w", force_zip64=True) as out:
                while chunk := part.read(COPY_CHUNK):
                    out.write(chunk)
        with tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR) as part:
            rows = _karte_rows(photo_paths=photo_paths)
            _write_csv(part, _counting(_with_header(KARTE_HEADER, rows), job, done), job.encoding)
            part.seek(0)
            with archive.open("kartes.csv", "w", force_zip64=True) as out:
                while chunk := part.read(COPY_CHUNK):
                    out.write(chunk)
        for arcname, stored in files:
            info = zipfile.ZipInfo(arcname, date_time=timezone.localtime().timetuple()[:6])
            info.compress_type = zipfile.ZIP_STORED  # photos are compressed already
            with (
                default_storage.open(stored, "rb") as source,
                archive.open(info, "w", force_zip64=True) as out,
            ):
                while chunk := source.read(COPY_CHUNK):
                    out.write(chunk)
            done[0] += 1
            if done[0] % 50 == 0:
                _progress(job, done[0])
    return f"karte-{job.salon.slug}-{timezone.localdate():%Y%m%d}.zip"


def _total(job: ExportJob) -> int:
    customers = Customer.objects.count()
    if job.kind == ExportKind.CUSTOMERS:
        return customers + 1
    rows = KarteItem.objects.count() + Karte.objects.filter(items__isnull=True).count() + 1
    if job.kind == ExportKind.KARTES:
        return rows
    return customers + 1 + rows + KarteItem.objects.filter(image__isnull=False).count()


def export_build(*, job: ExportJob) -> ExportJob:
    """Make the export's file (again, from the start, if an earlier attempt died) and keep it a day."""
    job.refresh_from_db()
    if job.status == ExportStatus.READY:
        return job
    total = _total(job)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, done=0, total=total, heartbeat_at=timezone.now()
    )
    # Built in the upload spool: a worker killed here (SIGKILL skips the `finally`) leaves the file
    # where purge_unused_uploads removes stale spool files, and the sweep asks for the export again.
    os.makedirs(settings.FILE_UPLOAD_TEMP_DIR, exist_ok=True)
    handle, path = tempfile.mkstemp(prefix="karte-export-", dir=settings.FILE_UPLOAD_TEMP_DIR)
    os.close(handle)
    try:
        build = _build_archive if job.kind == ExportKind.ARCHIVE else _build_csv
        filename = build(job, path)
        fault_point("export-file-built")
        old = job.file.name
        with open(path, "rb") as built:
            job.file.save(filename, File(built), save=False)
        if old:
            default_storage.delete(old)
    finally:
        os.unlink(path)
    now = timezone.now()
    job.filename, job.size = filename, job.file.size
    job.status, job.done, job.total = ExportStatus.READY, total, total
    job.finished_at, job.expires_at, job.heartbeat_at = now, now + KEPT_FOR, now
    job.save()
    return job


def export_fail(*, job: ExportJob) -> None:
    ExportJob.objects.filter(pk=job.pk).exclude(status=ExportStatus.READY).update(status=ExportStatus.FAILED)


def exports_expire(*, now: datetime.datetime) -> int:
    """Delete the files of exports older than a day (run for all salons, scopes disabled)."""
    expired = list(ExportJob.objects.filter(expires_at__lt=now).exclude(file=""))
    for job in expired:
        default_storage.delete(job.file.name)
    ExportJob.objects.filter(pk__in=[job.pk for job in expired]).update(file="")
    return len(expired)


def export_is_expired(job: ExportJob) -> bool:
    return job.expires_at is not None and job.expires_at <= timezone.now()
