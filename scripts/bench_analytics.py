"""「分析」 at 10k and at 1M kartes (PostgreSQL, the databases of scripts/bench_scale.py): the nightly
roll-up's time, and the page's time at both sizes, measured in turns in one run.

    DATABASE_URL=postgres://… python scripts/bench_analytics.py
Writes its section into docs/bench-postgresql.md.
"""

import datetime
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
RUNS = 15


def measure(name: str) -> None:
    """In a process of its own, on one bench database: roll up, then load the page RUNS times."""
    os.environ["KARTE_TASKS_IMMEDIATE"] = "0"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django_scopes import scope

    from analytics.models import MonthlyFigures
    from analytics.services import analytics_roll_up
    from kartes.models import Karte
    from salons.models import Salon, StaffMember

    setup_test_environment()
    salon = Salon.objects.get(slug="big")
    with scope(salon=salon):
        kartes = Karte.objects.count()
        MonthlyFigures.objects.all().delete()
        # The bench's visits run from February to October 2025: the twelve months up to November 2025
        # are the ones with work in them.
        started = time.perf_counter()
        analytics_roll_up(salon=salon, today=datetime.date(2025, 11, 28))
        roll_up_s = time.perf_counter() - started
        analytics_roll_up(salon=salon)  # this year's months, which the page shows
        owner = StaffMember.objects.filter(role="owner").select_related("user").first()
    assert owner is not None
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(owner.user)
    client.get("/salon/analytics/")
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get("/salon/analytics/")
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get("/salon/analytics/")
    print(json.dumps({"kartes": kartes, "roll_up_s": roll_up_s, "page_ms": timings, "queries": len(queries)}))


def main() -> list[str]:
    import bench_scale

    results = bench_scale.measure_on_each(__file__)
    small, large = results["10k"], results["1m"]
    p50 = {name: statistics.median(result["page_ms"]) for name, result in results.items()}
    return [
        "",
        "## 分析 (analytics) at 10k and at 1M kartes",
        "",
        "The page reads the salon's twelve rolled-up months; the nightly roll-up (on the task queue) does",
        f"the counting. Salon 'big' of the bench databases; page p50 of {RUNS} loads through Django's test",
        "client, the two sizes measured one after the other in this run.",
        "",
        "| | 10k | 1M | 1M ÷ 10k |",
        "| --- | ---: | ---: | ---: |",
        f"| Kartes of the salon | {small['kartes']:,} | {large['kartes']:,} | |",
        f"| Page p50 (ms) | {p50['10k']:.1f} | {p50['1m']:.1f} | {p50['1m'] / p50['10k']:.2f} |",
        f"| Page queries | {small['queries']} | {large['queries']} | |",
        f"| Roll-up of the 12 months with visits (s) | {small['roll_up_s']:.2f} | {large['roll_up_s']:.2f} | "
        f"{large['roll_up_s'] / small['roll_up_s']:.1f} |",
    ]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        measure(sys.argv[2])
    else:
        section = "\n".join(main()) + "\n"
        report = ROOT / "docs" / "bench-postgresql.md"
        text = report.read_text() if report.exists() else "# Benchmarks\n"
        text = re.sub(r"\n## 分析 \(analytics\).*?(?=\n## |\Z)", "", text, flags=re.S)
        report.write_text(text.rstrip("\n") + "\n" + section)
        print(section)
