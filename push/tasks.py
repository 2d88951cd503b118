"""Push in the background: each visible notice planned once, then sent in batches of BATCH, each
batch a task of its own behind whatever else is queued, so a broadcast never holds up other work."""

import functools

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled
from huey import crontab

from common.tasks import MESSAGES, enqueue_safely, message_slot, periodic_task, task
from notices.models import Notice
from salons.tasks import salon_task

from .services import BATCH, notices_push_plan, notices_to_push, pushes_send_due


@salon_task(bulk=True)  # a broadcast's planning writes a row per phone
def notice_push_plan_task(salon, *notice_ids: int) -> None:
    notices = list(Notice.objects.filter(pk__in=notice_ids))
    if notices_push_plan(salon=salon, notices=notices, now=timezone.now()):
        enqueue_safely(pushes_send_batch)


@task(retries=5, retry_delay=5, priority=MESSAGES)
def pushes_send_batch() -> None:
    # A broadcast to every phone never takes a worker's last thread, kept for photos and mail.
    with message_slot(), scopes_disabled():
        outcome = pushes_send_due(now=timezone.now())
    if sum(outcome.values()) >= BATCH:
        enqueue_safely(pushes_send_batch)  # more are due: the next batch queues behind other work


# Every minute: notices whose display period has begun (one posted for tomorrow goes tomorrow),
# pushes held by quiet hours or a push service's Retry-After, and work a lost task left behind.
@periodic_task(crontab(minute="*"), priority=MESSAGES)
def pushes_tick() -> None:
    with scopes_disabled():
        due = notices_to_push(now=timezone.now())
    for salon_id, ids in _by_salon(due).items():
        enqueue_safely(notice_push_plan_task, salon_id, *ids)
    enqueue_safely(pushes_send_batch)


def notices_posted(*, notices: list[Notice]) -> None:
    """Notices visible at once are planned as soon as they are committed, not at the next minute:
    one task for each salon's notices of the batch."""
    now = timezone.now()
    visible = [(notice.salon_id, notice.pk) for notice in notices if notice.starts_at <= now]
    for salon_id, ids in _by_salon(visible).items():
        transaction.on_commit(functools.partial(enqueue_safely, notice_push_plan_task, salon_id, *ids))


def _by_salon(notices: list[tuple[int, int]]) -> dict[int, list[int]]:
    """(salon id, notice id) pairs as each salon's notice ids: one planning task per salon."""
    found: dict[int, list[int]] = {}
    for salon_id, notice_id in notices:
        found.setdefault(salon_id, []).append(notice_id)
    return found
