import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from customers.models import Customer
from linking.selectors import active_devices_of

from .models import Notice, NoticeRead


def visible_notices(*, customer: Customer, now: datetime.datetime | None = None) -> QuerySet[Notice]:
    """The notices a customer's app shows now: broadcasts and their own, within the period, newest first."""
    now = now or timezone.now()
    read = NoticeRead.objects.filter(notice=OuterRef("pk"), customer=customer)
    return (
        Notice.objects.filter(
            Q(customer__isnull=True) | Q(customer=customer), starts_at__lte=now, ends_at__gt=now
        )
        .annotate(is_read=Exists(read))
        .order_by("-starts_at", "-id")
    )


def unread_count(*, customer: Customer, now: datetime.datetime | None = None) -> int:
    # is_read is the annotation visible_notices adds, which the type checker cannot follow.
    return visible_notices(customer=customer, now=now).filter(is_read=False).count()  # type: ignore[misc]


def get_visible_notice(*, customer: Customer, pk: int) -> Notice:
    return get_object_or_404(visible_notices(customer=customer), pk=pk)


def notices_for_staff() -> QuerySet[Notice]:
    """Every notice of the salon with its 閲覧数 (how many customers read it)."""
    return (
        Notice.objects.select_related("customer")
        .annotate(read_total=Count("reads"))
        .order_by("-starts_at", "-id")
    )


def broadcast_audience() -> int:
    """How many customers a broadcast reaches: those with a linked phone."""
    linked = active_devices_of(OuterRef("pk"))
    return Customer.objects.filter(archived_at__isnull=True).filter(Exists(linked)).count()
