"""Import and export timings for docs/bench-<database>.md, each beside an anchor measured in the same
run: the least work the same job needs (the csv module and one bulk insert; the csv module over
values; zipfile over the same files).

Run by scripts/bench.py inside its throw-away database.
"""

import csv
import datetime
import io
import os
import re
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="karte-bench-media-"))
    os.environ.setdefault("KARTE_TASKS_IMMEDIATE", "1")
    import django

    django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.db import connection  # noqa: E402
from django_scopes import scope, scopes_disabled  # noqa: E402

from customers.models import Customer  # noqa: E402
from kartes.models import ImageKind, ItemKind, Karte, KarteItem  # noqa: E402
from kartes.services import image_asset_create  # noqa: E402
from salons.models import Salon, StaffMember, StaffRole  # noqa: E402
from transfer import customer_csv  # noqa: E402
from transfer.exports import export_build  # noqa: E402
from transfer.models import CustomerImport, ExportJob  # noqa: E402
from transfer.services import customer_import_preview, customer_import_run, customer_import_stage  # noqa: E402

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "10000"))
KARTES = int(os.environ.get("BENCH_EXPORT_KARTES", "20000"))
PHOTOS = int(os.environ.get("BENCH_EXPORT_PHOTOS", "30"))
RUNS = 3


def _book(count: int = ROWS) -> bytes:
    rows = [["顧客番号", "氏名", "フリガナ", "携帯電話", "生年月日", "性別", "郵便番号", "住所", "メモ"]]
    for i in range(count):
        rows.append(
            [
                str(i + 1),
                f"山田 花子{i}",
                "ヤマダ ハナコ",
                f"090-{i // 10000:04d}-{i % 10000:04d}",
                "1990/04/01",
                "女性",
                "150-0001",
                f"渋谷区神宮前{i}",
                "カラー剤でしみやすい",
            ]
        )
    return customer_csv.encode_csv(rows, "cp932")


def _salon(name: str) -> tuple[Salon, Any]:
    with scopes_disabled():
        salon = Salon.objects.create(name=name, slug=f"bench-{uuid.uuid4().hex[:8]}")
        user = get_user_model().objects.create_user(username=f"bench-{uuid.uuid4().hex[:8]}", password="x")
        StaffMember.objects.create(salon=salon, user=user, display_name="店長", role=StaffRole.OWNER)
    return salon, user


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_import(data: bytes) -> tuple[float, float]:
    """(ours, anchor) in seconds: preview + import of the file, and csv.reader + one bulk insert."""
    ours, anchor = [], []
    for _ in range(RUNS):
        salon, user = _salon("Import")
        with scope(salon=salon):
            text, encoding = customer_csv.decode(data)

            def ours_once(salon=salon, user=user, text=text, encoding=encoding):
                staged = CustomerImport.objects.create(
                    salon=salon, created_by=user, filename="b.csv", encoding=encoding, text=text
                )
                expected = customer_import_preview(text=staged.text).valid_count
                assert customer_import_run(staged=staged, actor=user, expected=expected) == ROWS

            ours.append(_timed(ours_once))
        salon, user = _salon("Anchor")
        with scope(salon=salon):

            def anchor_once(salon=salon):
                reader = csv.reader(io.StringIO(data.decode("cp932"), newline=""))
                next(reader)
                Customer.objects.bulk_create(
                    (
                        Customer(salon=salon, number=int(r[0]), name=r[1], kana=r[2], phone=r[3])
                        for r in reader
                    ),
                    batch_size=1000,
                )

            anchor.append(_timed(anchor_once))
    return statistics.median(ours), statistics.median(anchor)


def import_memory(count: int) -> float:
    """Peak Python memory (tracemalloc) of staging, previewing and importing a file of `count`
    rows, in MB, beyond the uploaded bytes themselves."""
    data = _book(count)
    salon, user = _salon("Memory")
    with scope(salon=salon):
        tracemalloc.start()
        try:
            staged = customer_import_stage(salon=salon, actor=user, filename="b.csv", data=data)
            expected = customer_import_preview(text=staged.text).valid_count
            assert customer_import_run(staged=staged, actor=user, expected=expected) == count
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return peak / 1024 / 1024


def _karte_data(salon, user) -> None:
    staff = StaffMember.objects.get()
    customers = list(Customer.objects.order_by("pk")[: max(1, KARTES // 10)])
    today = datetime.date(2026, 11, 1)
    kartes = Karte.objects.bulk_create(
        (
            Karte(
                salon=salon,
                customer=customers[i % len(customers)],
                staff=staff,
                treatment_date=today,
                menu="カット、カラー",
                menu_lines=[{"item": None, "name": "カット", "price": 5500}],
            )
            for i in range(KARTES)
        ),
        batch_size=2000,
    )
    KarteItem.objects.bulk_create(
        (
            KarteItem(salon=salon, karte=karte, kind=ItemKind.TEXT, text="次回は6週間後", position=0)
            for karte in kartes
        ),
        batch_size=2000,
    )
    from PIL import Image

    for i in range(PHOTOS):
        out = io.BytesIO()
        Image.new("RGB", (1600, 1200), (120 + i, 90, 80)).save(out, format="JPEG", quality=90)
        asset, _ = image_asset_create(
            salon=salon, user=user, upload_key=uuid.uuid4(), data=out.getvalue(), kind=ImageKind.PHOTO
        )
        KarteItem.objects.create(salon=salon, karte=kartes[i], kind=ItemKind.PHOTO, image=asset, position=1)


def bench_exports() -> list[tuple[str, float, float]]:
    """(label, ours, anchor) for each export kind, in seconds."""
    salon, user = _salon("Export")
    rows = []
    with scope(salon=salon):
        data = _book()
        staged = CustomerImport.objects.create(
            salon=salon, created_by=user, filename="b.csv", encoding="cp932", text=data.decode("cp932")
        )
        customer_import_run(staged=staged, actor=user, expected=ROWS)
        _karte_data(salon, user)
        for kind, label in (
            ("customers", f"Customers CSV ({ROWS:,})"),
            ("kartes", f"Kartes CSV ({KARTES:,} kartes)"),
            ("archive", f"ZIP: both CSVs and {PHOTOS} photos"),
        ):
            ours, anchor = [], []
            for _ in range(RUNS):
                job = ExportJob.objects.create(salon=salon, requested_by=user, kind=kind, encoding="cp932")
                ours.append(_timed(lambda job=job: export_build(job=job)))
                anchor.append(_timed(lambda kind=kind: _anchor_export(kind)))
            rows.append((label, statistics.median(ours), statistics.median(anchor)))
    return rows


def _anchor_export(kind: str) -> None:
    """The least the same export needs: the csv module over a plain cursor reading the same columns
    (for kartes, one joined read of every item with its karte, customer and staff; the menu and
    recipe as the database keeps them), encoded alike; zipfile over the photos."""
    out = io.BytesIO()
    if kind in {"customers", "archive"}:
        _anchor_csv(out, Customer.objects.order_by("number", "pk").values_list(*customer_csv.COLUMNS))
    if kind in {"kartes", "archive"}:
        items = KarteItem.objects.order_by(
            "karte__customer__number",
            "karte__customer_id",
            "karte__treatment_date",
            "karte_id",
            "position",
            "id",
        ).values_list(
            "karte__customer__number",
            "karte__customer__name",
            "karte__treatment_date",
            "karte__staff__display_name",
            "karte__nominated",
            "karte__menu",
            "karte__menu_lines",
            "kind",
            "is_public",
            "text",
            "caption",
            "photo_tag",
            "recipe",
        )
        _anchor_csv(out, items)
    if kind == "archive":
        with zipfile.ZipFile(out, "w") as archive:
            for name in KarteItem.objects.filter(image__isnull=False).values_list(
                "image__original", flat=True
            ):
                with default_storage.open(name, "rb") as source:
                    archive.writestr(name, source.read(), compress_type=zipfile.ZIP_STORED)


def _anchor_csv(out, queryset) -> None:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(2000):
            text = io.StringIO()
            csv.writer(text, lineterminator="\r\n").writerows(rows)
            out.write(text.getvalue().encode("cp932", errors="replace"))


def main() -> list[str]:
    data = _book()
    ours, anchor = bench_import(data)
    export_rows = bench_exports()
    lines = [
        "",
        "## Import and export",
        "",
        f"Median of {RUNS} runs, seconds, with the anchor measured in the same run: for the import,",
        "Python's csv module and one bulk insert of the same rows without any checking; for the exports,",
        "the csv module over the same values, or zipfile over the same photo files. Ratio = ours ÷ anchor.",
        "",
        "| Job | Ours (s) | Anchor (s) | Ratio |",
        "| --- | ---: | ---: | ---: |",
        f"| Import {ROWS:,} customers (Shift_JIS file: read, check every row, preview, import) "
        f"| {ours:.2f} | {anchor:.2f} | {ours / anchor:.1f} |",
    ]
    lines += [f"| Export: {label} | {o:.2f} | {a:.2f} | {o / a:.1f} |" for label, o, a in export_rows]
    small, large = import_memory(ROWS), import_memory(5 * ROWS)
    lines += [
        "",
        "The import's peak Python memory (tracemalloc: what staging, the preview and the import allocate",
        "beyond the uploaded bytes), at the rows above and at five times as many. The file's text is held",
        "once in each step (decoded on upload, then read back from the staged copy), and its rows are",
        "walked one at a time, a batch of them added at a time; what still grows with the file is that",
        "text and the customer numbers and mobile numbers already seen, which the checks across rows need.",
        "",
        f"| Rows | {ROWS:,} | {5 * ROWS:,} | ÷ |",
        "| --- | ---: | ---: | ---: |",
        f"| Peak (MB) | {small:.1f} | {large:.1f} | {large / small:.2f} |",
        f"| Per row (KB) | {small * 1024 / ROWS:.2f} | {large * 1024 / (5 * ROWS):.2f} | |",
    ]
    return lines


if __name__ == "__main__":
    # `make bench-transfer`: this section alone, written into the report of the last `make bench`.
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        section = "\n".join(main()) + "\n"
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    report = ROOT / "docs" / f"bench-{connection.vendor}.md"
    text = report.read_text() if report.exists() else "# Benchmarks\n"
    text = re.sub(r"\n## Import and export\n.*?(?=\n## |\Z)", "", text, flags=re.S)
    report.write_text(text.rstrip("\n") + "\n" + section)
    print(section)
