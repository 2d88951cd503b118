"""Background tasks on Huey, with the two rules every Karte task follows.

- A salon's task runs inside that salon's scope (salons.tasks.salon_task), so a task can no more
  read another salon's rows than a staff page can.
- Retries with exponential backoff (5 s, 10 s, 20 s, …) for whatever may pass by itself: a database
  or storage outage. A task must be safe to run twice: a worker killed mid-task loses it, and the
  periodic sweeps that look for such work ask for it again.

And one for fairness between salons: the queue hands out the most urgent work first (priorities
below); neither bulk work (a salon's whole data) nor a broadcast's pushes take a worker process's
last thread, and bulk work leaves one more for pushes where there are three or more; a salon runs
one bulk task at a time (bulk_slot, message_slot). So one salon's export or 100,000-phone
broadcast does not hold up another salon's photo copies.

And one for scheduled jobs: every worker that runs the schedule enqueues each job at its time, so
with several machines a job is queued several times. The first run to claim the job's time (a row
per job, common.models.ScheduledRun) does the work; the others are cancelled. A run that fails gives
its time back, so a retry or the next copy in the queue does it.
"""

import datetime
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone
from huey.api import PeriodicTask, Task
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task
from huey.exceptions import CancelExecution, RetryTask

log = logging.getLogger("karte.tasks")

RETRIES = 5
RETRY_DELAY_SECONDS = 5
RETRY_BACKOFF = 2

# Priorities: the queue hands out the highest first (Huey's priority queue on Redis and SQLite).
INTERACTIVE = 100  # someone is looking at a screen for it: a photo's copies, a password link
MESSAGES = 50  # pushes and reminders that are due
BULK = 10  # a salon's whole data or every phone: exports, broadcasts, the nightly roll-up
# Sweeps and everything else: 0.

# Work that finds no thread free for it is put back this long, behind whatever else is queued.
SLOT_WAIT_SECONDS = 5
# A salon's bulk slot is held at most this long, should its worker die without giving it back.
SALON_BULK_LEASE_SECONDS = 30 * 60

_semaphores: dict[str, threading.BoundedSemaphore] = {}
_semaphores_made = threading.Lock()


def background_threads() -> int:
    """Threads of a worker process that messages and bulk work may take: all but one, which is
    kept for the interactive work (photo copies, mail)."""
    return max(1, int(settings.HUEY["consumer"]["workers"]) - 1)


def bulk_threads() -> int:
    """Threads that bulk work may take: all but two, so that pushes keep going beside an export
    (with two threads, bulk work and pushes take turns in one)."""
    return max(1, int(settings.HUEY["consumer"]["workers"]) - 2)


def _semaphore(name: str, count: int) -> threading.BoundedSemaphore:
    with _semaphores_made:
        if name not in _semaphores:
            _semaphores[name] = threading.BoundedSemaphore(count)
        return _semaphores[name]


@contextmanager
def _thread(name: str, count: int) -> Iterator[None]:
    semaphore = _semaphore(name, count)
    if not semaphore.acquire(blocking=False):
        raise RetryTask(delay=SLOT_WAIT_SECONDS)
    try:
        yield
    finally:
        semaphore.release()


@contextmanager
def message_slot() -> Iterator[None]:
    """Run a batch of pushes on a background thread, or put it back for SLOT_WAIT_SECONDS."""
    if HUEY.immediate:
        yield
        return
    with _thread("background", background_threads()):
        yield


@contextmanager
def bulk_slot(salon_id: int | None) -> Iterator[None]:
    """Run bulk work in a slot, or put it back in the queue for SLOT_WAIT_SECONDS.

    Bulk work takes a background thread and a bulk thread of its process (so the last thread stays
    free for photos and mail, and with three or more, one for pushes too); and a salon's bulk work
    runs one task at a time across every worker (a lease in the shared cache), so one salon cannot
    fill the bulk slots that other salons' exports and broadcasts wait for. With the cache down,
    only the threads are counted.
    """
    if HUEY.immediate:
        yield
        return
    with _thread("background", background_threads()), _thread("bulk", bulk_threads()), _salon_lease(salon_id):
        yield


@contextmanager
def _salon_lease(salon_id: int | None) -> Iterator[None]:
    if salon_id is None:
        yield
        return
    key = f"karte:bulk-salon:{salon_id}"
    try:
        taken = cache.add(key, 1, SALON_BULK_LEASE_SECONDS)
    except Exception:
        log.warning("No salon lease for bulk work: the cache is unreachable.", exc_info=True)
        yield
        return
    if not taken:
        raise RetryTask(delay=SLOT_WAIT_SECONDS)
    try:
        yield
    finally:
        try:
            cache.delete(key)
        except Exception:
            log.warning("The salon lease %s runs out by itself.", key, exc_info=True)


def enqueue_safely(task: Any, *args: Any, **kwargs: Any) -> bool:
    """Ask for a task without letting a queue outage fail the request that asked.

    Work asked for this way is also found again by a periodic sweep, so a request that could not
    reach the queue loses nothing: the work is only later.
    """
    try:
        task(*args, **kwargs)
    except Exception:
        if HUEY.immediate:
            raise
        log.warning("The task queue could not take %s; the periodic sweep will.", task.name, exc_info=True)
        return False
    return True


periodic_task = db_periodic_task
task = db_task


# A job that ran this late (a worker stopped for a month) counts from here: its time is not searched further.
LOOKBACK = datetime.timedelta(days=32)


def scheduled_time(task: PeriodicTask, now: datetime.datetime) -> datetime.datetime:
    """The latest time at or before `now` that the job's schedule names, in UTC as the queue keeps it."""
    moment = now.astimezone(datetime.UTC).replace(second=0, microsecond=0, tzinfo=None)
    earliest = moment - LOOKBACK
    while moment > earliest and not task.validate_datetime(moment):
        moment -= datetime.timedelta(minutes=1)
    return moment.replace(tzinfo=datetime.UTC)


def scheduled_run_claim(name: str, slot: datetime.datetime) -> bool:
    """Claim a job's scheduled time: True for the first run that asks, False for every other."""
    from .models import ScheduledRun

    now = timezone.now()
    if ScheduledRun.objects.filter(name=name, slot__lt=slot).update(slot=slot, started_at=now):
        return True
    try:
        with transaction.atomic():
            ScheduledRun.objects.create(name=name, slot=slot, started_at=now)
    except IntegrityError:
        return False  # claimed already: this time, or a later one
    return True


def scheduled_run_release(name: str, slot: datetime.datetime) -> None:
    """Give a failed run's time back, so that a retry may claim it."""
    from .models import ScheduledRun

    ScheduledRun.objects.filter(name=name, slot=slot).update(slot=slot - datetime.timedelta(microseconds=1))


_claimed: dict[str, datetime.datetime] = {}


def _once_per_scheduled_time(task: Task) -> None:
    if not isinstance(task, PeriodicTask):
        return
    if not HUEY.immediate:
        close_old_connections()  # as the task itself will (djhuey's close_db)
    slot = scheduled_time(task, timezone.now())
    if not scheduled_run_claim(task.name, slot):
        log.info("Scheduled job %s of %s ran already; this copy is skipped.", task.name, slot)
        raise CancelExecution(retry=False)
    _claimed[task.id] = slot


def _release_when_failed(task: Task, value: Any, error: BaseException | None) -> None:
    slot = _claimed.pop(task.id, None)
    if slot is not None and error is not None:
        scheduled_run_release(task.name, slot)


HUEY.pre_execute(name="karte-scheduled-once")(_once_per_scheduled_time)
HUEY.post_execute(name="karte-scheduled-once")(_release_when_failed)
