"""The tenant's rule for background work: a salon's task runs inside that salon's scope."""

import functools
import logging
from contextlib import nullcontext

from django_scopes import scope

from common.tasks import BULK, RETRIES, RETRY_BACKOFF, RETRY_DELAY_SECONDS, bulk_slot, task

from .models import Salon

log = logging.getLogger("karte.tasks")


def salon_task(*, bulk: bool = False, **options):
    """A task that runs inside the scope of the salon whose id is its first argument, so it can no
    more read another salon's rows than a staff page can.

    bulk: work on the salon's whole data or every phone, run at BULK priority in a bulk slot (one
    such task of a salon at a time, never a worker's last thread: common.tasks.bulk_slot)."""

    def decorator(fn):
        @functools.wraps(fn)
        def run(salon_id: int, *args, **kwargs):
            salon = Salon.objects.filter(pk=salon_id).first()
            if salon is None:
                log.info("Task %s skipped: salon %s no longer exists.", fn.__name__, salon_id)
                return None
            with bulk_slot(salon_id) if bulk else nullcontext(), scope(salon=salon):
                return fn(salon, *args, **kwargs)

        if bulk:
            options.setdefault("priority", BULK)

        options.setdefault("retries", RETRIES)
        options.setdefault("retry_delay", RETRY_DELAY_SECONDS)
        options.setdefault("retry_backoff", RETRY_BACKOFF)
        return task(**options)(run)

    return decorator
