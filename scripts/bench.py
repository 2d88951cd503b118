"""Speed measurements for Karte, written to docs/bench-<database>.md.

Runs against a throw-away test database (SQLite, or PostgreSQL when DATABASE_URL is set):
photo processing per 12-megapixel image against libvips and Pillow, the staff pages with thousands
of customers, and the customer's phone while staff upload photos (scripts/bench_uploads.py).
"""

import datetime
import io
import logging
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="karte-bench-media-"))

import django  # noqa: E402

django.setup()

import pillow_heif  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_scopes import scope, scopes_disabled  # noqa: E402
from PIL import Image  # noqa: E402

from customers.models import Customer  # noqa: E402
from kartes.models import ImageKind, ItemKind, Karte, KarteItem  # noqa: E402
from kartes.services import ItemInput, image_asset_create, karte_create  # noqa: E402
from salons.models import Salon, StaffMember, StaffRole  # noqa: E402

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "5000"))
KARTES = int(os.environ.get("BENCH_KARTES", "60"))
RUNS = 7
PHOTO_RUNS = 7
BROADCAST_CUSTOMERS = int(os.environ.get("BENCH_BROADCAST_CUSTOMERS", "100000"))


def median_ms(fn, runs=RUNS):
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), min(timings), max(timings)


def camera_like_image(width=4000, height=3000) -> Image.Image:
    # Smooth gradients plus sensor-like noise compress like a real photo, unlike a flat colour.
    gradient = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 24)
    return Image.merge("RGB", (gradient, noise, Image.eval(gradient, lambda v: 255 - v)))


def bench_photos():
    """Every pipeline on the same 12-megapixel JPEG and HEIC: time (interleaved runs) and peak memory."""
    from bench_pipelines import ANCHOR, PIPELINES

    image = camera_like_image()
    jpeg = io.BytesIO()
    image.save(jpeg, format="JPEG", quality=90)
    heic = io.BytesIO()
    pillow_heif.from_pillow(image).save(heic, quality=80)
    rows: list[tuple[str, str, float | None, float | None, str]] = []
    folder = Path(tempfile.mkdtemp(prefix="karte-bench-photos-"))
    for label, data in (("JPEG 4000×3000", jpeg.getvalue()), ("HEIC 4000×3000", heic.getvalue())):
        path = folder / label.split()[0]
        path.write_bytes(data)
        usable = {}
        for name, fn in PIPELINES.items():
            try:
                fn(data)
                usable[name] = fn
            except Exception as error:  # libvips as packaged cannot decode HEVC itself
                rows.append((label, name, None, None, f"cannot read this file ({type(error).__name__})"))
        # Interleaved: each round runs every pipeline once, so a noisy neighbour hits all alike.
        timings: dict[str, list[float]] = {name: [] for name in usable}
        for _ in range(PHOTO_RUNS):
            for name, fn in usable.items():
                start = time.perf_counter()
                fn(data)
                timings[name].append((time.perf_counter() - start) * 1000)
        memory = {name: float(subprocess.check_output(
            [sys.executable, str(ROOT / "scripts" / "bench_memory.py"), name, str(path)], text=True
        ).strip()) for name in usable}  # fmt: skip
        anchor = ANCHOR if ANCHOR in usable else "Pillow, full decode (before)"
        for name in usable:
            med = statistics.median(timings[name])
            ratio = med / statistics.median(timings[anchor])
            mem_ratio = memory[name] / memory[anchor] if memory[anchor] > 0 else float("nan")
            rows.append(
                (label, name, med, memory[name], f"{ratio:.2f} time, {mem_ratio:.2f} memory ÷ {anchor}")
            )
    return rows


def photo_table(rows):
    lines = [
        "",
        "## Photo processing (turn upright, sRGB, WebP q82 without metadata at 1600, 800, 320 and 192 px)",
        "",
        f"Median of {PHOTO_RUNS} interleaved runs; peak memory is the growth of the resident set of a",
        "fresh process running the pipeline once. The ratio is to libvips doing the same job the plain",
        "way, each size straight from the file (for HEIC, which libvips as packaged cannot decode, to the",
        "Pillow pipeline used before).",
        "",
        "| Image | Pipeline | Median ms | Peak MB | Ratio |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    for label, name, med, mem, ratio in rows:
        if med is None:
            lines.append(f"| {label} | {name} | — | — | {ratio} |")
        else:
            lines.append(f"| {label} | {name} | {med:.0f} | {mem:.0f} | {ratio} |")
    return lines


def make_data():
    User = get_user_model()
    with scopes_disabled():
        salon = Salon.objects.create(name="Bench", slug="bench")
        owner = StaffMember.objects.create(
            salon=salon,
            user=User.objects.create_user(username="bench-owner", password="x"),
            display_name="Owner",
            role=StaffRole.OWNER,
        )
    with scope(salon=salon):
        customers = []
        for i in range(CUSTOMERS):
            customer = Customer(
                salon=salon, name=f"顧客 {i:05d}", kana=f"こきゃく {i:05d}", phone=f"090{i:08d}"
            )
            customer.refresh_search_fields()
            customer.last_visit_on = datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 300)
            customers.append(customer)
        Customer.objects.bulk_create(customers, batch_size=1000)
        regular = Customer.objects.order_by("id")[0]
        small = io.BytesIO()
        Image.new("RGB", (800, 600), (120, 80, 60)).save(small, format="JPEG")
        for day in range(KARTES):
            asset, _ = image_asset_create(
                salon=salon,
                user=owner.user,
                upload_key=uuid.uuid4(),
                data=small.getvalue(),
                kind=ImageKind.PHOTO,
                copies_now=True,
            )
            karte_create(
                salon=salon,
                actor=owner.user,
                customer=regular,
                treatment_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=day),
                staff=owner,
                menu="カット",
                items=[
                    ItemInput(kind=ItemKind.TEXT, text="メモ", is_public=day % 2 == 0),
                    ItemInput(kind=ItemKind.PHOTO, image=asset, is_public=day % 3 == 0),
                ],
            )
        counts = (Customer.objects.count(), Karte.objects.count(), KarteItem.objects.count())
    return owner, regular, counts


def bench_pages(owner, regular):
    client = Client()
    client.force_login(owner.user)
    pages = [
        ("Customer list, あいうえお order", reverse("staff:customer_list"), {}),
        ("Customer list, by last visit", reverse("staff:customer_list"), {"sort": "visit"}),
        ("Customer search 「ｺｷｬｸ 0042」", reverse("staff:customer_list"), {"q": "ｺｷｬｸ 0042"}),
        ("Customer search by phone 「0900000」", reverse("staff:customer_list"), {"q": "0900000"}),
        ("Customer list, page 80", reverse("staff:customer_list"), {"page": "80"}),
        (f"Customer page with {KARTES} kartes", reverse("staff:customer_detail", args=[regular.pk]), {}),
        ("お客様の表示を確認 preview", reverse("staff:customer_preview", args=[regular.pk]), {}),
    ]
    rows = []
    for label, url, params in pages:
        client.get(url, params)  # warm caches and templates
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params).status_code == 200
        queries = len(captured)
        med, low, high = median_ms(lambda url=url, params=params: client.get(url, params))
        rows.append((label, queries, med, low, high))
    return rows


def bench_broadcast():
    """Posting a broadcast in a salon of 10 customers and in one of 100,000."""
    from notices.services import notice_create

    User = get_user_model()
    rows = []
    for size in (10, BROADCAST_CUSTOMERS):
        with scopes_disabled():
            salon = Salon.objects.create(name=f"Broadcast {size}", slug=f"broadcast-{size}")
            user = User.objects.create_user(username=f"broadcast-{size}", password="x")
        with scope(salon=salon):
            batch = []
            for i in range(size):
                customer = Customer(salon=salon, name=f"顧客 {i}", kana=f"こきゃく {i}")
                customer.refresh_search_fields()
                batch.append(customer)
            Customer.objects.bulk_create(batch, batch_size=5000)
            now = datetime.datetime.now(datetime.UTC)

            def post(salon=salon, user=user, now=now):
                notice_create(
                    salon=salon,
                    actor=user,
                    title="年末年始の営業",
                    body="お休みのお知らせ",
                    starts_at=now,
                    ends_at=now + datetime.timedelta(days=7),
                )

            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as captured:
                post()
            queries = len(captured)
            med, low, high = median_ms(post)
        rows.append((f"{size:,} customers", queries, med, low, high))
    return rows


def table(title, columns, rows, *, digits=1, note=""):
    """A report section: heading, optional note, and rows of (label, value, median, min, max)."""
    lines = ["", f"## {title}", ""]
    if note:
        lines += [note, ""]
    lines += [
        f"| {columns[0]} | {columns[1]} | Median ms | Min | Max |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {a} | {b} | {med:.{digits}f} | {low:.{digits}f} | {high:.{digits}f} |"
        for a, b, med, low, high in rows
    ]
    return lines


def main():
    logging.getLogger("pyvips").setLevel(logging.ERROR)  # the HEIC file libvips cannot decode
    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        photo_rows = bench_photos()
        start = time.perf_counter()
        owner, regular, counts = make_data()
        load_s = time.perf_counter() - start
        page_rows = bench_pages(owner, regular)
        broadcast_rows = bench_broadcast()
        import bench_transfer

        transfer_lines = bench_transfer.main()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    lines = [
        "# Benchmarks",
        "",
        f"Made by `make bench` on {datetime.date.today():%Y-%m-%d}: {connection.vendor}, "
        f"Python {platform.python_version()}, {os.cpu_count()} cores.",
        f"Times are the median of {RUNS} runs, in milliseconds, through Django's test client",
        "(no network). Query counts are per request, and stay the same whatever the data size",
        "(the test suite checks that too).",
        *photo_table(photo_rows),
        *table(
            f"Staff pages with {counts[0]:,} customers, {counts[1]} kartes and {counts[2]} items",
            ("Page", "Queries"),
            page_rows,
            note=f"Loading the data took {load_s:.1f} s.",
        ),
        *table(
            "Posting a notice to everyone (one row, whatever the number of customers)",
            ("Salon", "Queries"),
            broadcast_rows,
        ),
    ]
    lines += transfer_lines
    import bench_uploads

    lines += bench_uploads.main()
    import bench_queues

    lines += bench_queues.main()
    if connection.vendor == "postgresql":
        import bench_scale

        lines += bench_scale.main()
        import bench_jobs

        lines += bench_jobs.main()
    report = "\n".join(lines) + "\n"
    (ROOT / "docs" / f"bench-{connection.vendor}.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
