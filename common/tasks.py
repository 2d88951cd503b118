"""Background tasks on Huey, with the two rules every Karte task follows.

- A salon's task runs inside that salon's scope (salons.tasks.salon_task), so a task can no more
  read another salon's rows than a staff page can.
- Retries with exponential backoff (5 s, 10 s, 20 s, …) for whatever may pass by itself: a database
  or storage outage. A task must be safe to run twice: a worker killed mid-task loses it, and the
  periodic sweeps that look for such work ask for it again.

And one for scheduled jobs: every worker that runs the schedule enqueues each job at its time, so
with several machines a job is queued several times. The first run to claim the job's time (a row
per job, common.models.ScheduledRun) does the work; the others are cancelled. A run that fails gives
its time back, so a retry or the next copy in the queue does it.
"""

import datetime
import logging
from typing import Any

from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone
from huey.api import PeriodicTask, Task
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task
from huey.exceptions import CancelExecution

log = logging.getLogger("karte.tasks")

RETRIES = 5
RETRY_DELAY_SECONDS = 5
RETRY_BACKOFF = 2


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
