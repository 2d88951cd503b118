import datetime

from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import audit_log
from customers.models import Customer
from salons.models import Salon

from .models import Notice, NoticeRead


def notice_create(
    *,
    salon: Salon,
    actor,
    title: str,
    body: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    customer: Customer | None = None,
) -> Notice:
    """Post a notice: to every customer with the app (no customer) or to one customer.

    A broadcast is a single row, so posting it costs the same for 10 customers or 100,000.
    """
    with transaction.atomic():
        notice = Notice.objects.create(
            salon=salon,
            title=title,
            body=body,
            starts_at=starts_at,
            ends_at=ends_at,
            customer=customer,
            created_by=actor,
        )
        audit_log(
            salon=salon,
            actor=actor,
            action=Action.NOTICE_CREATE,
            target=notice,
            summary=title,
            data={"customer": customer.pk if customer else None},
        )
    return notice


def notice_update(
    *, notice: Notice, actor, title: str, body: str, starts_at: datetime.datetime, ends_at: datetime.datetime
) -> Notice:
    """Change a notice; the reads already counted stay."""
    with transaction.atomic():
        notice.title, notice.body, notice.starts_at, notice.ends_at = title, body, starts_at, ends_at
        notice.save()
        audit_log(salon=notice.salon, actor=actor, action=Action.NOTICE_UPDATE, target=notice, summary=title)
    return notice


def notice_withdraw(*, notice: Notice, actor) -> Notice:
    """End the display period now."""
    now = timezone.now()
    with transaction.atomic():
        if notice.ends_at > now:
            notice.ends_at = max(now, notice.starts_at + datetime.timedelta(seconds=1))
            notice.save(update_fields=["ends_at", "updated_at"])
        audit_log(
            salon=notice.salon,
            actor=actor,
            action=Action.NOTICE_WITHDRAW,
            target=notice,
            summary=notice.title,
        )
    return notice


def notice_mark_read(*, notice: Notice, customer: Customer) -> None:
    """Count a read once per customer, however often and from however many phones it is sent."""
    NoticeRead.objects.bulk_create(
        [NoticeRead(salon_id=notice.salon_id, notice=notice, customer=customer)], ignore_conflicts=True
    )
