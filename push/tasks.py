"""Push in the background: each visible notice planned once, then sent in batches of BATCH, each
batch a task of its own behind whatever else is queued, so a broadcast never holds up other work."""

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled
from huey import crontab

from common.tasks import enqueue_safely, periodic_task, task
from notices.models import Notice
from salons.tasks import salon_task

from .services import BATCH, notice_push_plan, notices_to_push, pushes_send_due


@salon_task()
def notice_push_plan_task(salon, notice_id: int) -> None:
    notice = Notice.objects.select_related("salon").filter(pk=notice_id).first()
    if notice is not None and notice_push_plan(notice=notice, now=timezone.now()):
        enqueue_safely(pushes_send_batch)


@task(retries=5, retry_delay=5)
def pushes_send_batch() -> None:
    with scopes_disabled():
        outcome = pushes_send_due(now=timezone.now())
    if sum(outcome.values()) >= BATCH:
        enqueue_safely(pushes_send_batch)  # more are due: the next batch queues behind other work


# Every minute: notices whose display period has begun (one posted for tomorrow goes tomorrow),
# pushes held by quiet hours or a push service's Retry-After, and work a lost task left behind.
@periodic_task(crontab(minute="*"))
def pushes_tick() -> None:
    with scopes_disabled():
        for salon_id, notice_id in notices_to_push(now=timezone.now()):
            enqueue_safely(notice_push_plan_task, salon_id, notice_id)
    enqueue_safely(pushes_send_batch)


def notice_posted(*, notice: Notice) -> None:
    """A notice visible at once is planned as soon as it is committed, not at the next minute."""
    if notice.starts_at <= timezone.now():
        transaction.on_commit(lambda: enqueue_safely(notice_push_plan_task, notice.salon_id, notice.pk))
