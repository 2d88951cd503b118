import datetime
import logging

from django.utils import timezone
from django_scopes import scopes_disabled
from huey import crontab

from common.tasks import enqueue_safely, periodic_task
from salons.tasks import salon_task

from .exports import export_build, export_fail, exports_expire
from .models import ExportJob, ExportStatus
from .services import IMPORT_KEPT_FOR, customer_imports_purge

log = logging.getLogger("karte.tasks")

STALLED_AFTER = datetime.timedelta(minutes=2)
MAX_ATTEMPTS = 3


@salon_task(bulk=True)
def export_make(salon, job_id: int) -> None:
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is not None:
        export_build(job=job)


@periodic_task(crontab(minute="*"))
def exports_requeue_stalled() -> None:
    """An export whose worker died stops moving: ask for it again, up to three times in all."""
    now = timezone.now()
    with scopes_disabled():
        stalled = ExportJob.objects.filter(
            status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING], heartbeat_at__lt=now - STALLED_AFTER
        )
        for job in stalled.order_by("heartbeat_at")[:50]:
            if job.attempts + 1 >= MAX_ATTEMPTS:
                export_fail(job=job)
                log.warning("Export %s gave up after %d attempts.", job.pk, job.attempts + 1)
                continue
            claimed = ExportJob.objects.filter(pk=job.pk, heartbeat_at=job.heartbeat_at).update(
                heartbeat_at=now, attempts=job.attempts + 1
            )
            if claimed:
                enqueue_safely(export_make, job.salon_id, job.pk)


@periodic_task(crontab(minute="*/10"))
def transfers_purge() -> None:
    """Exports are kept a day; uploaded customer files not imported, a day too."""
    now = timezone.now()
    with scopes_disabled():
        exports_expire(now=now)
        customer_imports_purge(before=now - IMPORT_KEPT_FOR)
