"""Background tasks on Huey, with the two rules every Karte task follows.

- salon_task: the first argument is a salon id, and the task body runs inside that salon's
  scope, so a task can no more read another salon's rows than a staff page can.
- Retries with exponential backoff (5 s, 10 s, 20 s, …) for whatever may pass by itself: a database
  or storage outage. A task must be safe to run twice: a worker killed mid-task loses it, and the
  periodic sweeps that look for such work ask for it again.
"""

import functools
import logging

from django_scopes import scope
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from salons.models import Salon

log = logging.getLogger("karte.tasks")

RETRIES = 5
RETRY_DELAY_SECONDS = 5
RETRY_BACKOFF = 2


def salon_task(**options):
    """A task that runs inside the scope of the salon whose id is its first argument."""

    def decorator(fn):
        @functools.wraps(fn)
        def run(salon_id: int, *args, **kwargs):
            salon = Salon.objects.filter(pk=salon_id).first()
            if salon is None:
                log.info("Task %s skipped: salon %s no longer exists.", fn.__name__, salon_id)
                return None
            with scope(salon=salon):
                return fn(salon, *args, **kwargs)

        options.setdefault("retries", RETRIES)
        options.setdefault("retry_delay", RETRY_DELAY_SECONDS)
        options.setdefault("retry_backoff", RETRY_BACKOFF)
        return db_task(**options)(run)

    return decorator


def enqueue_safely(task, *args, **kwargs) -> bool:
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
