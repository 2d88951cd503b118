"""The background jobs at 10k and at 1M kartes, side by side (PostgreSQL, the databases of
scripts/bench_scale.py): each job's time at both sizes with the same work due (200 messages, 200
reminders, 200 birthdays in the coming week), its queries, and large ÷ small against the target of
issue 26 (met / not met). Every run happens inside a transaction that is rolled back, so the bench
databases stay as they were.

    DATABASE_URL=postgres://… python scripts/bench_jobs.py
Writes its section into docs/bench-postgresql.md (make bench runs it too).
"""

import datetime
import json
import os
import re
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
RUNS = 3
DUE = 200  # messages, reminders and birthdays due at both sizes
# The bench's visits run from February to October 2025: the roll-up is measured as of this day.
ROLL_UP_DAY = datetime.date(2025, 11, 28)
NEW_MONTH_DAY = datetime.date(2025, 12, 1)  # the first night of a month: December worked out anew


class Rollback(Exception):
    pass


def measure(name: str) -> None:
    """In a process of its own, on one bench database: each job RUNS times, each in a transaction
    rolled back afterwards; prints {job: [median seconds, queries]} as JSON."""
    os.environ["KARTE_TASKS_IMMEDIATE"] = "0"
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django_scopes import scope, scopes_disabled

    from analytics.models import MonthlyFigures
    from analytics.services import analytics_roll_up
    from appointments.models import Appointment
    from appointments.reminders import reminders_send
    from customers.duplicates import duplicates_refresh_salon
    from customers.models import Customer
    from customers.retention import retention_run
    from followups.models import FollowUp, FollowUpRule
    from followups.services import followup_rules, followups_plan_birthdays, followups_send_due
    from kartes.models import Karte
    from linking.models import Device
    from privacy.services import customer_export_plan
    from salons.models import Salon

    salon = Salon.objects.get(slug="big")
    now = timezone.now()
    today = timezone.localdate()

    def customers() -> list:
        return list(Customer.objects.order_by("pk")[100 : 100 + DUE])  # not the phone of the bench (42nd)

    def phones(found) -> None:
        Device.objects.bulk_create(
            Device(salon=salon, customer=c, credential_hash=uuid.uuid4().hex * 2, label="iPhone")
            for c in found
        )

    def rule(kind: str) -> None:
        followup_rules(salon=salon)
        FollowUpRule.objects.filter(kind=kind).update(enabled=True, delay=0)

    def followups_due():
        rule("thanks")
        found = customers()
        phones(found)
        FollowUp.objects.bulk_create(
            FollowUp(salon=salon, customer=c, kind="thanks", base_at=now, due_at=now, key=f"bench:{c.pk}")
            for c in found
        )
        return lambda: followups_send_due(now=now + datetime.timedelta(seconds=1))

    def reminders_due():
        salon.reminder_time = datetime.time(0, 0)
        salon.save(update_fields=["reminder_time"])
        found = customers()
        phones(found)
        start = timezone.make_aware(
            datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(9))
        )
        Appointment.objects.bulk_create(
            Appointment(
                salon=salon,
                customer=c,
                starts_at=start + datetime.timedelta(minutes=3 * i),
                ends_at=start + datetime.timedelta(minutes=3 * i + 60),
            )
            for i, c in enumerate(found)
        )
        return lambda: reminders_send(salon=salon, now=now)

    def birthdays_due():
        rule("birthday")
        for i, c in enumerate(customers()):
            day = today + datetime.timedelta(days=1 + i % 6)
            c.birthday = (
                day.replace(year=1990) if not (day.month == 2 and day.day == 29) else day.replace(year=1992)
            )
            c.refresh_search_fields()
            c.save()
        return lambda: followups_plan_birthdays(salon=salon, today=today)

    def roll_up_first():
        MonthlyFigures.objects.all().delete()
        return lambda: analytics_roll_up(salon=salon, today=ROLL_UP_DAY)

    def roll_up_nightly():
        MonthlyFigures.objects.all().delete()
        analytics_roll_up(salon=salon, today=ROLL_UP_DAY)  # every month worked out once
        # The day's changes, the same at both sizes: a visit each for DUE customers.
        staff = salon.staff.first()
        Karte.objects.bulk_create(
            Karte(salon=salon, customer=c, treatment_date=ROLL_UP_DAY, staff=staff, menu="カット")
            for c in customers()
        )
        return lambda: analytics_roll_up(salon=salon, today=ROLL_UP_DAY)

    def roll_up_new_month():
        MonthlyFigures.objects.all().delete()
        analytics_roll_up(salon=salon, today=ROLL_UP_DAY)
        return lambda: analytics_roll_up(salon=salon, today=NEW_MONTH_DAY)

    def duplicates_nightly():
        return lambda: duplicates_refresh_salon(salon)

    def retention_monthly():
        salon.retention_years = 2
        salon.save(update_fields=["retention_years"])
        return lambda: retention_run(salon=salon, today=today)

    def customer_zip():
        with scopes_disabled():
            (pk,) = (int(entry.split(":")[1]) for entry in _phones(connection) if entry.startswith("big:"))
        customer = Customer.objects.get(pk=pk)
        return lambda: customer_export_plan(customer=customer, actor=None)

    jobs = {
        "followups": followups_due,
        "reminders": reminders_due,
        "birthdays": birthdays_due,
        "roll_up": roll_up_nightly,
        "roll_up_new_month": roll_up_new_month,
        "roll_up_first": roll_up_first,
        "duplicates": duplicates_nightly,
        "retention": retention_monthly,
        "customer_zip": customer_zip,
    }
    found = {}
    wanted = set(filter(None, os.environ.get("BENCH_JOBS", "").split(","))) or set(jobs)
    with scope(salon=salon), timezone.override(salon.timezone):
        for job, prepare in jobs.items():
            if job not in wanted:
                continue
            timings, queries = [], 0
            for _ in range(RUNS):
                try:
                    with transaction.atomic():
                        run = prepare()
                        with CaptureQueriesContext(connection) as captured:
                            start = time.perf_counter()
                            with scopes_disabled() if job in {"followups"} else scope(salon=salon):
                                run()
                            timings.append(time.perf_counter() - start)
                        queries = len(captured)
                        raise Rollback
                except Rollback:
                    pass
            found[job] = [statistics.median(timings), queries]
    print(json.dumps(found))


def _phones(connection) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phones FROM bench_shape")
        return cursor.fetchone()[0].split(";")


# (label, job, target ratio of 1M ÷ 10k or None, what the target is)
ROWS = [
    (f"Follow-ups: {DUE} messages due (every minute)", "followups", 1.3, "flat, ≤ 3 queries a message"),
    (f"Reminders: {DUE} for tomorrow (every 5 minutes)", "reminders", 1.3, "flat, ≤ 3 queries a message"),
    (f"Birthday planning: {DUE} in the coming week (hourly)", "birthdays", 1.3, "flat"),
    (
        f"Analytics roll-up, nightly: the open months after {DUE} visits",
        "roll_up",
        1.3,
        "grows with the day's changes",
    ),
    (
        "Analytics roll-up, the first night of a month (the new month from every customer)",
        "roll_up_new_month",
        None,
        "once a month",
    ),
    ("Analytics roll-up, the very first (twelve months, every customer)", "roll_up_first", None, "once"),
    ("Likely duplicates, the salon's keys (nightly)", "duplicates", None, "reads every key once"),
    ("Retention, the salon's customers (monthly)", "retention", None, "reads the salon's customers once"),
    ("A customer's own data (ZIP plan, 10 kartes)", "customer_zip", 1.3, "flat, no query per karte"),
]


def main() -> list[str]:
    import bench_scale

    results = bench_scale.measure_on_each(__file__)
    small, large = results["10k"], results["1m"]
    lines = [
        "",
        "## Background jobs at 10k and at 1M kartes",
        "",
        "Salon 'big' of the bench databases (1,000 and 50,000 customers; 10,000 and 500,000 kartes),",
        f"the same work due at both sizes; median of {RUNS} runs, each in a transaction rolled back",
        "afterwards. Queries are those of one run at 1M.",
        "",
        "| Job | 10k ms | 1M ms | 1M ÷ 10k | Queries | Target | |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for label, job, target, wanted in ROWS:
        if job not in large:
            continue
        ratio = large[job][0] / small[job][0]
        queries = large[job][1]
        per_message = job in {"followups", "reminders"}
        met = (target is None or ratio <= target) and (not per_message or queries <= 3 * DUE)
        shown = f"{queries} ({queries / DUE:.2f} a message)" if per_message else str(queries)
        mark = "—" if target is None else ("met" if met else "**not met**")
        lines.append(
            f"| {label} | {small[job][0] * 1000:.1f} | {large[job][0] * 1000:.1f} | {ratio:.2f} | {shown} | "
            f"{wanted} | {mark} |"
        )
    return lines


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        measure(sys.argv[2])
    else:
        section = "\n".join(main()) + "\n"
        if os.environ.get("BENCH_JOBS"):
            print(section)  # some jobs only: not the report
            sys.exit(0)
        report = ROOT / "docs" / "bench-postgresql.md"
        text = report.read_text() if report.exists() else "# Benchmarks\n"
        text = re.sub(r"\n## Background jobs at 10k.*?(?=\n## |\Z)", "", text, flags=re.S)
        report.write_text(text.rstrip("\n") + "\n" + section)
        print(section)
