"""The duplicate finder at two sizes, side by side in one run: a salon of 10,000 customers and one of
200,000, each with the same share of second records (1% with the same mobile number, 0.5% with the
same name and furigana). Reports, for each size, the finder for one customer (the lookups a save
makes), the customer page and the 重複の可能性 list, the customer list with its count, and the
nightly sweep of the whole salon, with large ÷ small.

`make bench-duplicates` (SQLite, and PostgreSQL when DATABASE_URL is set); appended to
docs/bench-<database>.md by hand from its output.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_scopes import scope, scopes_disabled  # noqa: E402

from customers.duplicates import candidates, duplicates_refresh_salon, open_pairs  # noqa: E402
from customers.models import Customer  # noqa: E402
from salons.models import Salon, StaffMember, StaffRole  # noqa: E402

SIZES = (10_000, int(os.environ.get("BENCH_CUSTOMERS", "200000")))
RUNS = 15
SYLLABLES = "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわ"
KANJI = "山田中川本村井上林森木石原小松高橋佐藤鈴伊渡辺加野吉清水斎花子美咲彩香奈陽菜結愛"


def _name(n: int) -> tuple[str, str]:
    """A name and furigana of its own for each n (different n, different name)."""
    kana, kanji, rest = [], [], n
    for _ in range(4):
        rest, digit = divmod(rest, len(SYLLABLES))
        kana.append(SYLLABLES[digit])
        kanji.append(KANJI[digit % len(KANJI)])
    return "".join(kanji[:2]) + " " + "".join(kanji[2:]) + str(n), "".join(kana[:2]) + " " + "".join(kana[2:])


def make_salon(slug: str, size: int) -> tuple[StaffMember, Customer]:
    User = get_user_model()
    with scopes_disabled():
        salon = Salon.objects.create(name=slug, slug=slug)
        owner = StaffMember.objects.create(
            salon=salon,
            user=User.objects.create_user(username=f"{slug}-owner", password="x"),
            display_name="オーナー",
            role=StaffRole.OWNER,
        )
        batch: list[Customer] = []
        for n in range(size):
            name, kana = _name(n)
            batch.append(
                Customer(
                    salon=salon,
                    number=n + 1,
                    name=name,
                    kana=kana,
                    phone=f"090-{n // 10000:04d}-{n % 10000:04d}",
                )
            )
            if n % 100 == 0:  # 1%: registered again (a sheet filed as new): the same mobile number
                batch.append(
                    Customer(salon=salon, name=f"再 {name}", kana="さい " + kana, phone=batch[-1].phone)
                )
            if n % 200 == 1:  # 0.5%: the same name and furigana, another phone
                batch.append(
                    Customer(salon=salon, name=name, kana=kana, phone=f"080-{n // 10000:04d}-{n % 10000:04d}")
                )
            if len(batch) >= 5000:
                for customer in batch:
                    customer.refresh_search_fields()
                Customer.objects.bulk_create(batch)
                batch = []
        for customer in batch:
            customer.refresh_search_fields()
        Customer.objects.bulk_create(batch)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE customers_customer")  # what autovacuum does soon after a load
        with scope(salon=salon), transaction.atomic():
            duplicates_refresh_salon(salon)
        # The customer measured: one with a second record, in the middle of the book.
        probe = (
            Customer.objects.filter(
                salon=salon, phone=f"090-{(size // 2) // 10000:04d}-{(size // 2) % 10000:04d}"
            )
            .order_by("pk")
            .first()
        )
        assert probe is not None
        return owner, probe


def median_ms(action) -> float:
    action()  # warm
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def queries(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def main() -> list[str]:
    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        made = [make_salon(f"dup-{n}", size) for n, size in enumerate(SIZES)]
        worlds = []
        for owner, probe in made:
            client = Client()
            client.force_login(owner.user)
            worlds.append((owner, probe, client))
        with scopes_disabled():
            counts = [
                (
                    Customer.objects.filter(salon=owner.salon).count(),
                    open_pairs().filter(salon=owner.salon).count(),
                )
                for owner, _probe in made
            ]

        def finder(owner, probe, client):
            def run():
                with scope(salon=owner.salon):
                    assert candidates(probe)

            return run

        def page(url):
            def build(owner, probe, client):
                def run():
                    assert client.get(url(probe)).status_code == 200

                return run

            return build

        def sweep(owner, probe, client):
            def run():
                with scope(salon=owner.salon), transaction.atomic():
                    duplicates_refresh_salon(owner.salon)

            return run

        measured = [
            ("One customer's likely duplicates (the lookups a save makes)", finder),
            (
                "Customer page with its 重複の可能性",
                page(lambda p: reverse("staff:customer_detail", kwargs={"pk": p.pk})),
            ),
            ("重複の可能性 list, first page", page(lambda p: reverse("staff:duplicate_list"))),
            ("Customer list with the count of pairs", page(lambda p: reverse("staff:customer_list"))),
            ("Nightly sweep of the whole salon", sweep),
        ]
        rows = []
        for label, build in measured:
            # Side by side: small then large for each measurement, on the same machine at the same time.
            actions = [build(*world) for world in worlds]
            small_ms, large_ms = (median_ms(action) for action in actions)
            small_q, large_q = (queries(action) for action in actions)
            ratio = large_ms / small_ms
            rows.append(
                f"| {label} | {small_ms:.1f} | {large_ms:.1f} | {small_q} / {large_q} | **{ratio:.2f}** |"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    lines = [
        "",
        f"## 重複の可能性 at {counts[0][0]:,} and {counts[1][0]:,} customers ({connection.vendor})",
        "",
        f"`make bench-duplicates`: {counts[0][1]:,} and {counts[1][1]:,} pairs found. Median of {RUNS} runs,",
        "in ms; both salons in one run, each measurement taken for the small then the large one.",
        "",
        "| What | small | large | queries (small / large) | large ÷ small |",
        "| --- | ---: | ---: | ---: | ---: |",
        *rows,
    ]
    print("\n".join(lines))
    return lines


if __name__ == "__main__":
    main()
