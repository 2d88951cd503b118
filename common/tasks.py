"""Background tasks on Huey, with the two rules every Karte task follows.

- A salon's task runs inside that salon's scope (salons.tasks.salon_task), so a task can no more
  read another salon's rows than a staff page can.
- Retries with exponential backoff (5 s, 10 s, 20 s, …) for whatever may pass by itself: a database
  or storage outage. A task must be safe to run twice: a worker killed mid-task loses it, and the
  periodic sweeps that look for such work ask for it again.
"""

import logging
from typing import Any

from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

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
