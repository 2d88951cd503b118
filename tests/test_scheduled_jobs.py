"""However many workers run the schedule, each scheduled job runs once for each of its times: the
copies every worker's scheduler queues are cancelled but the first (common.tasks). Run through
Huey's own execute, as the consumer does, against the real database."""

import datetime

import pytest
import time_machine
from huey.contrib.djhuey import HUEY

from common.models import ScheduledRun
from common.tasks import scheduled_time
from customers import tasks as customer_tasks
from customers.tasks import duplicates_sweep, retention_monthly

from .racing import postgres_only, race

UTC = datetime.UTC
# duplicates_sweep's time: 03:40 in the queue's UTC.
SWEEP = datetime.datetime(2026, 12, 7, 3, 40, 5, tzinfo=UTC)


@pytest.fixture
def sweeps(monkeypatch):
    """Counts how often the sweep's work ran (for each salon)."""
    calls = []
    monkeypatch.setattr(customer_tasks, "duplicates_refresh_salon", lambda salon: calls.append(salon.pk))
    return calls


def _run(job):
    HUEY.execute(job.s())


def test_the_copies_of_one_time_run_once_and_the_next_time_runs_again(salon_a, salon_b, sweeps):
    with time_machine.travel(SWEEP, tick=False):
        for _ in range(3):  # three machines' schedulers queued it
            _run(duplicates_sweep)
    assert sorted(sweeps) == sorted([salon_a.salon.pk, salon_b.salon.pk])
    # The next day's copy, taken late from a busy queue, still runs for its own time, once.
    with time_machine.travel(SWEEP + datetime.timedelta(days=1, minutes=7), tick=False):
        _run(duplicates_sweep)
        _run(duplicates_sweep)
    assert len(sweeps) == 4
    (claimed,) = ScheduledRun.objects.all()
    assert (claimed.name, claimed.slot) == ("duplicates_sweep", SWEEP.replace(day=8, second=0))


def test_a_run_that_fails_gives_its_time_back(salon_a, monkeypatch):
    calls = []

    def fails_once(salon):
        calls.append(salon.pk)
        if len(calls) == 1:
            raise ConnectionError("the database went away")

    monkeypatch.setattr(customer_tasks, "duplicates_refresh_salon", fails_once)
    with time_machine.travel(SWEEP, tick=False):
        _run(duplicates_sweep)  # the worker logs the error, as with any task
        assert calls == [salon_a.salon.pk]
        _run(duplicates_sweep)  # the retry, or another worker's copy
        _run(duplicates_sweep)  # done: this one is skipped
    assert calls == [salon_a.salon.pk, salon_a.salon.pk]


def test_a_jobs_time_is_the_latest_its_schedule_names():
    late = datetime.datetime(2026, 12, 15, 9, 0, tzinfo=UTC)
    assert scheduled_time(retention_monthly.s(), late) == datetime.datetime(2026, 12, 1, 4, 10, tzinfo=UTC)
    assert scheduled_time(duplicates_sweep.s(), SWEEP) == SWEEP.replace(second=0)
    assert scheduled_time(duplicates_sweep.s(), SWEEP - datetime.timedelta(minutes=1)) == SWEEP.replace(
        day=6, second=0
    )


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_four_workers_taking_copies_at_once_run_it_once(salon_a, sweeps):
    with time_machine.travel(SWEEP, tick=False):
        _results, errors = race(lambda: _run(duplicates_sweep), 4)
    assert errors == [] and sweeps == [salon_a.salon.pk]
