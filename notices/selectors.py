import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from customers.models import Customer
from linking.models import Device

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


UNREAD_CAP = 100


def unread_count(*, customer: Customer, now: datetime.datetime | None = None) -> int:
    """Unread notices, counted up to UNREAD_CAP (the badge then says 99+), whatever the number live."""
    # is_read is the annotation visible_notices adds, which the type checker cannot follow.
    unread = visible_notices(customer=customer, now=now).filter(is_read=False)  # type: ignore[misc]
    return unread[:UNREAD_CAP].count()


def get_visible_notice(*, customer: Customer, pk: int) -> Notice:
    return get_object_or_404(visible_notices(customer=customer), pk=pk)


def _reaches(customer) -> QuerySet[Device]:
    """The linked phones through which a customer is in a notice's audience now."""
    return Device.objects.filter(
        customer=customer, revoked_at__isnull=True, customer__archived_at__isnull=True
    )


def notices_for_staff() -> QuerySet[Notice]:
    """Every notice of the salon, newest first (add the 閲覧数 of a page with with_read_totals)."""
    return (
        Notice.objects.select_related("customer")
        .annotate(customer_reached=Exists(_reaches(OuterRef("customer"))))
        .order_by("-starts_at", "-id")
    )


def with_read_totals(notices, *, audience: int) -> list[Notice]:
    """The notices of one page (from notices_for_staff), each with its 閲覧数 among the customers
    it reaches now.

    read_total: readers who still have the app linked (never more than reach); reach: the
    broadcast audience (`audience`), or 1 or 0 for a one-to-one notice as its customer has a linked
    phone or not; read_elsewhere: readers who have since unlinked or been archived, said apart.
    Counted for these notices only, in one query, so the list costs the same whether the salon
    has ten reads or millions.
    """
    notices = list(notices)
    rows = (
        NoticeRead.objects.filter(notice__in=[notice.pk for notice in notices])
        .annotate(still_reached=Exists(_reaches(OuterRef("customer"))))
        .values("notice")
        .annotate(total=Count("pk"), current=Count("pk", filter=Q(still_reached=True)))
        .values_list("notice", "total", "current")
    )
    counts = {notice: (total, current) for notice, total, current in rows}
    for notice in notices:
        total, current = counts.get(notice.pk, (0, 0))
        # customer_reached comes from notices_for_staff.
        reach = int(notice.customer_reached) if notice.customer_id else audience  # type: ignore[attr-defined]
        notice.read_total = min(current, reach)  # type: ignore[attr-defined]
        notice.reach = reach  # type: ignore[attr-defined]
        notice.read_elsewhere = total - current  # type: ignore[attr-defined]
    return notices


def broadcast_audience() -> int:
    """How many customers a broadcast reaches: those with a linked phone.

    Counted from the linked phones, which are few, not from every customer of the salon.
    """
    return (
        Device.objects.filter(revoked_at__isnull=True, customer__archived_at__isnull=True)
        .values("customer")
        .distinct()
        .count()
    )


def read_totals(notices: QuerySet[Notice]) -> tuple[int, int]:
    """The customers these notices reach now and how many of those read them, summed: the 閲覧数
    of the notice list (with_read_totals), so 分析 and the list always agree and never pass 100%."""
    audience = broadcast_audience()
    counted = with_read_totals(notices_for_staff().filter(pk__in=notices.values("pk")), audience=audience)
    return sum(notice.reach for notice in counted), sum(notice.read_total for notice in counted)  # type: ignore[attr-defined]
