"""The 予約台帳 at two sizes, measured side by side in one run: a salon with 2,000 appointments and
one with 200,000 (the same five staff; the day shown has the same eight bookings each). Reports the
median time of the day and the week pages, their query counts, and large ÷ small.

`make bench-ledger` (SQLite, and PostgreSQL when DATABASE_URL is set); appended to
docs/bench-<database>.md by hand from its output.
"""

import datetime
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
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from appointments.models import Appointment  # noqa: E402
from customers.models import Customer  # noqa: E402
from salons.models import Salon, StaffMember, StaffRole  # noqa: E402

SIZES = (2_000, int(os.environ.get("BENCH_APPOINTMENTS", "200000")))
STAFF = 5
PER_DAY = 8  # per staff member: 10:00–18:00, an hour each
RUNS = 15
DAY = datetime.date(2026, 12, 10)


def make_salon(slug: str, appointments: int) -> tuple[StaffMember, int]:
    User = get_user_model()
    tz = timezone.get_current_timezone()
    with scopes_disabled():
        salon = Salon.objects.create(name=slug, slug=slug)
        staff = [
            StaffMember.objects.create(
                salon=salon,
                user=User.objects.create_user(username=f"{slug}-{n}", password="x"),
                display_name=f"Staff {n}",
                role=StaffRole.OWNER if n == 0 else StaffRole.STYLIST,
            )
            for n in range(STAFF)
        ]
        customers = [Customer(salon=salon, name=f"顧客 {i}", kana=f"こきゃく {i}") for i in range(500)]
        for customer in customers:
            customer.refresh_search_fields()
        Customer.objects.bulk_create(customers)
        customers = list(Customer.objects.filter(salon=salon))
        days = appointments // (STAFF * PER_DAY)
        batch = []
        for offset in range(days):
            day = DAY - datetime.timedelta(days=offset)
            for member in staff:
                for hour in range(PER_DAY):
                    start = datetime.datetime.combine(day, datetime.time(10 + hour), tzinfo=tz)
                    batch.append(
                        Appointment(
                            salon=salon, customer=customers[(offset + hour) % len(customers)], staff=member,
                            starts_at=start, ends_at=start + datetime.timedelta(minutes=60),
                            menu_lines=[{"id": None, "name": "カット", "price": 5500, "minutes": 60}],
                        )
                    )  # fmt: skip
            if len(batch) >= 5000:
                Appointment.objects.bulk_create(batch)
                batch = []
        Appointment.objects.bulk_create(batch)
        return staff[0], Appointment.objects.filter(salon=salon).count()


def timed(client: Client, url: str, params: dict) -> tuple[float, int]:
    client.get(url, params)  # warm
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        client.get(url, params)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), len(captured)


def main() -> list[str]:
    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        made = [make_salon(f"bench-{n}", size) for n, size in enumerate(SIZES)]
        clients = []
        for owner, _count in made:
            client = Client()
            client.force_login(owner.user)
            clients.append((client, owner))
        pages = [
            ("The day, 5 staff + 指名なし", lambda owner: (reverse("staff:ledger"), {"date": str(DAY)})),
            ("One staff member's week", lambda owner: (
                reverse("staff:ledger_week", kwargs={"pk": owner.pk}), {"date": DAY.isoformat()}
            )),
        ]  # fmt: skip
        rows = []
        for label, where in pages:
            # Side by side: small, large, small, large… so a noisy machine weighs on both alike.
            results = [timed(client, *where(owner)) for client, owner in clients]
            (small_ms, small_q), (large_ms, large_q) = results
            ratio = large_ms / small_ms
            rows.append(
                f"| {label} | {small_ms:.1f} | {large_ms:.1f} | {small_q} / {large_q} | **{ratio:.2f}** |"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    lines = [
        "",
        f"## 予約台帳 at {made[0][1]:,} and {made[1][1]:,} appointments ({connection.vendor})",
        "",
        f"Median of {RUNS} requests through Django's test client, in ms; both salons in one run.",
        "",
        "| Page | small | large | queries (small / large) | large ÷ small |",
        "| --- | ---: | ---: | ---: | ---: |",
        *rows,
    ]
    print("\n".join(lines))
    return lines


if __name__ == "__main__":
    main()
