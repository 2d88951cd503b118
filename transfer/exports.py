"""Exports the owner asks for: customers or kartes as CSV for Excel, or everything as a ZIP with the
photos. Made by a background task (transfer.tasks), kept for a day, then deleted."""

import datetime
import itertools
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql.constants import MULTI
from django.utils import timezone

from audit.services import audit_log
from common.faults import fault_point
from common.replica import heavy_reads
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


KARTE_FIELDS = ("customer__number", "customer__name", "treatment_date", "staff__display_name", "nominated",
                "menu", "menu_lines")  # fmt: skip
ITEM_FIELDS = ("items__id", "items__kind", "items__is_public", "items__text", "items__caption",
               "items__photo_tag", "items__recipe")  # fmt: skip
KARTE_ORDER = ("customer__number", "customer_id", "treatment_date", "id", "items__position", "items__id")


def _driver_rows(queryset: QuerySet[Any, Any]) -> Iterator[tuple[Any, ...]]:
    """A values_list queryset's rows streamed as iterator() streams them (a server-side cursor on
    PostgreSQL), but as the database driver gives them, without Django's conversion of each value,
    which costs more than writing the CSV: JSON stays text, a boolean may be 0 or 1.

    Behind PgBouncer in transaction mode (DISABLE_SERVER_SIDE_CURSORS), a cursor lives only as long
    as its transaction: the next fetch may reach another server, where it does not exist. There,
    outside a transaction, the rows come from a connection of their own in one transaction, so the
    export's progress, written on the usual connection meanwhile, is still committed as it goes.
    Inside one, the cursor lives in it already."""
    usual = connections[queryset.db]
    if not usual.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS") or usual.in_atomic_block:
        compiler = queryset.query.get_compiler(using=queryset.db)
        for chunk in compiler.execute_sql(MULTI, chunked_fetch=True, chunk_size=CHUNK):
            yield from chunk
        return
    own = connections.create_connection(queryset.db)
    try:
        own.set_autocommit(False)  # the cursor is declared in the transaction, not WITH HOLD
        compiler = queryset.query.get_compiler(connection=own)
        for chunk in compiler.execute_sql(MULTI, chunked_fetch=True, chunk_size=CHUNK):
            yield from chunk
    finally:
        own.close()  # nothing was written: the transaction ends with the connection


def _json_list(text: str | None) -> list[Any]:
    return json.loads(text) if text and text != "[]" else []


def _karte_rows(*, using: str, photo_paths: dict[int, str] | None = None) -> Iterator[list[str]]:
    """One row per item of each karte (a karte without items has one row), private items marked.

    One plain read of the kartes joined to their items, in order: no model objects and no query
    per karte, however many kartes the salon keeps.
    """
    rows = _driver_rows(
        Karte.objects.using(using).order_by(*KARTE_ORDER).values_list(*KARTE_FIELDS, *ITEM_FIELDS)
    )
    paths = photo_paths or {}
    head: list[str] = []
    karte: tuple[Any, ...] = ()
    for row in rows:
        if row[:7] != karte:  # the karte's own cells, written once for all of its items
            karte = row[:7]
            number, name, date, staff, nominated, menu, lines = karte
            prices = [line["price"] for line in _json_list(lines) if line.get("price") is not None]
            head = [
                number_text(number),
                name,
                customer_csv.slashed_date(date),
                staff,
                "指名" if nominated else "",
                menu,
                str(sum(prices)) if prices else "",
            ]
        item_id, kind, public, text, caption, tag, recipe = row[7:]
        if item_id is None:
            yield [*head, "", "", "", "", "", "", ""]
            continue
        yield [
            *head,
            KIND_WRITTEN.get(kind, kind),
            "公開" if public else "非公開",
            text,
            caption,
            TAG_WRITTEN.get(tag, ""),
            _recipe_text(_json_list(recipe)),
            paths.get(item_id, ""),
        ]


def _recipe_text(recipe) -> str:
    return " / ".join(
        "、".join(f"{label}: {row[name]}" for name, label in RECIPE_COLUMNS.items() if row.get(name))
        for row in recipe or []
    )


def _write_csv(out, rows, job: ExportJob, done: list[int]) -> None:
    """Written in slices so that a million kartes never sit in memory at once; the job's progress
    moves on as each slice is written."""
    first = True
    rows = iter(rows)
    while batch := list(itertools.islice(rows, CHUNK)):
        out.write(_encoded(batch, job.encoding, first))
        first = False
        before, done[0] = done[0], done[0] + len(batch)
        if done[0] // PROGRESS_EVERY != before // PROGRESS_EVERY:
            _progress(job, done[0])
    if first:
        out.write(_encoded([], job.encoding, first))


def _encoded(rows, encoding: str, first: bool) -> bytes:
    data = customer_csv.encode_csv(rows, encoding)
    return data if first or encoding == "cp932" else data.removeprefix(b"\xef\xbb\xbf")


def _customers_csv(out, job: ExportJob, done: list[int], using: str) -> None:
    values = Customer.objects.using(using).order_by("number", "pk").values_list(*customer_csv.COLUMNS)
    rows = customer_csv.customer_rows(_driver_rows(values))
    _write_csv(out, _with_header(customer_csv.header_row(), rows), job, done)


def _with_header(header, rows):
    yield header
    yield from rows


def _build_csv(job: ExportJob, path: str, using: str) -> str:
    done = [0]
    with open(path, "wb") as out:
        if job.kind == ExportKind.CUSTOMERS:
            _customers_csv(out, job, done, using)
            return f"customers-{timezone.localdate():%Y%m%d}.csv"
        rows = _karte_rows(using=using)
        _write_csv(out, _with_header(KARTE_HEADER, rows), job, done)
    return f"kartes-{timezone.localdate():%Y%m%d}.csv"


def _build_archive(job: ExportJob, path: str, using: str) -> str:
    """customers.csv, kartes.csv (each item's file in its last column) and photos/ with the originals."""
    items = (
        KarteItem.objects.using(using).filter(image__isnull=False).select_related("image", "karte__customer")
    )
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
            _customers_csv(part, job, done, using)
            part.seek(0)
            with archive.open("customers.csv", "w", force_zip64=True) as out:
                while chunk := part.read(COPY_CHUNK):
                    out.write(chunk)
        with tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR) as part:
            rows = _karte_rows(using=using, photo_paths=photo_paths)
            _write_csv(part, _with_header(KARTE_HEADER, rows), job, done)
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


def _total(job: ExportJob, using: str) -> int:
    customers = Customer.objects.using(using).count()
    if job.kind == ExportKind.CUSTOMERS:
        return customers + 1
    items = KarteItem.objects.using(using)
    rows = items.count() + Karte.objects.using(using).filter(items__isnull=True).count() + 1
    if job.kind == ExportKind.KARTES:
        return rows
    return customers + 1 + rows + items.filter(image__isnull=False).count()


def export_build(*, job: ExportJob) -> ExportJob:
    """Make the export's file (again, from the start, if an earlier attempt died) and keep it a day."""
    job.refresh_from_db()
    if job.status == ExportStatus.READY:
        return job
    # The whole salon is read from the standby while it keeps up (common.replica).
    using = heavy_reads()
    total = _total(job, using)
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
        filename = build(job, path, using)
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
