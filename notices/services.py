import datetime
import uuid

from django.db import transaction
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import audit_entry, audit_log
from common.actors import Actor
from common.idempotency import create_once
from customers.models import Customer
from salons.models import Salon

from . import actions, hooks
from .models import Notice, NoticeRead, NoticeSource


def notice_create(
    *,
    salon: Salon,
    actor: Actor,
    title: str,
    body: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    customer: Customer | None = None,
    client_key: uuid.UUID | None = None,
    source: str = NoticeSource.STAFF,
) -> Notice:
    """Post a notice: to every customer with the app (no customer) or to one customer.

    A broadcast is a single row, so posting it costs the same for 10 customers or 100,000.
    The same form sent again (same client key) returns the first notice.
    """

    def create() -> Notice:
        notice = Notice.objects.create(
            salon=salon,
            title=title,
            body=body,
            starts_at=starts_at,
            ends_at=ends_at,
            customer=customer,
            created_by=actor,
            client_key=client_key,
            source=source,
        )
        audit_log(
            salon=salon,
            actor=actor,
            action=actions.NOTICE_CREATE,
            target=notice,
            summary=title,
            data={"customer": customer.pk if customer else None},
        )
        hooks.notices_posted(notices=[notice])
        return notice

    return create_once(Notice.objects.all(), client_key, create)


def notices_create_many(*, notices: list[Notice]) -> list[Notice]:
    """Post many notices to one customer each, written by the system (follow-ups, reminders): the
    notices in one query and their log entries in another, whatever their number. Run inside the
    caller's transaction, with the notices' salon and customer set."""
    created = Notice.objects.bulk_create(notices)
    AuditEntry.objects.bulk_create(
        audit_entry(
            salon=notice.salon,
            actor=None,
            action=actions.NOTICE_CREATE,
            target=notice,
            summary=notice.title,
            data={"customer": notice.customer_id},
        )
        for notice in created
    )
    if created:
        hooks.notices_posted(notices=created)
    return created


def notice_update(
    *,
    notice: Notice,
    actor: Actor,
    title: str,
    body: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
) -> Notice:
    """Change a notice; the reads already counted stay."""
    with transaction.atomic():
        notice.title, notice.body, notice.starts_at, notice.ends_at = title, body, starts_at, ends_at
        notice.save()
        audit_log(salon=notice.salon, actor=actor, action=actions.NOTICE_UPDATE, target=notice, summary=title)
    return notice


def notice_withdraw(*, notice: Notice, actor: Actor) -> Notice:
    """End the display period now. Withdrawing a notice that has ended already changes nothing."""
    now = timezone.now()
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        if notice.ends_at <= now:
            return notice
        # The period must end after it starts; a notice posted a moment ago ends now, not a second later.
        notice.ends_at = max(now, notice.starts_at + datetime.timedelta(microseconds=1))
        notice.save(update_fields=["ends_at", "updated_at"])
        audit_log(
            salon=notice.salon,
            actor=actor,
            action=actions.NOTICE_WITHDRAW,
            target=notice,
            summary=notice.title,
        )
    return notice


def notice_mark_read(*, notice: Notice, customer: Customer) -> None:
    """Count a read once per customer, however often and from however many phones it is sent."""
    NoticeRead.objects.bulk_create(
        [NoticeRead(salon_id=notice.salon_id, notice=notice, customer=customer)], ignore_conflicts=True
    )
