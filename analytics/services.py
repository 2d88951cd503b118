"""The owner's numbers, rolled up month by month (analytics.tasks, nightly and on first visit)."""

import datetime
from typing import Any

from django.db.models import Count, DateField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone

from appointments.models import Appointment
from counselling.models import ResponseSource, SheetResponse
from customers.models import Customer
from kartes.models import Karte
from linking.models import Device
from notices.models import Notice
from notices.selectors import read_totals
from salons.models import Salon

from .models import MonthlyFigures

MONTHS = 12
RETURN_WITHIN = datetime.timedelta(days=90)
ACTIVE_WITHIN = datetime.timedelta(days=365)


def month_starts(*, today: datetime.date, count: int = MONTHS) -> list[datetime.date]:
    """The first days of the last `count` months, oldest first, this month included."""
    firsts, day = [], today.replace(day=1)
    for _ in range(count):
        firsts.append(day)
        day = (day - datetime.timedelta(days=1)).replace(day=1)
    return firsts[::-1]


def _next_month(first: datetime.date) -> datetime.date:
    return (first + datetime.timedelta(days=32)).replace(day=1)


def _linked_on(day_field: str) -> Exists:
    """A phone of the customer was linked on that day (linked before its end, not yet unlinked)."""
    day = OuterRef(day_field)
    return Exists(
        Device.objects.filter(customer=OuterRef("customer"), linked_at__date__lte=day).filter(
            Q(revoked_at__isnull=True) | Q(revoked_at__date__gt=day)
        )
    )


def _month(salon: Salon, first: datetime.date, today: datetime.date) -> dict[str, Any]:
    end = _next_month(first)
    last_day = end - datetime.timedelta(days=1)
    # Active: visited in the year up to the month's end; linked: with a phone linked at its end.
    active = Customer.objects.filter(
        Exists(
            Karte.objects.filter(
                customer=OuterRef("pk"), treatment_date__gte=end - ACTIVE_WITHIN, treatment_date__lt=end
            )
        )
    )
    linked_then = Exists(
        Device.objects.filter(customer=OuterRef("pk"), linked_at__date__lte=last_day).filter(
            Q(revoked_at__isnull=True) | Q(revoked_at__date__gt=last_day)
        )
    )
    counts = active.aggregate(active=Count("pk"), linked=Count("pk", filter=Q(linked_then)))
    # Came back within 90 days of a visit in the month, by whether a phone was linked at that visit.
    later = ExpressionWrapper(OuterRef("treatment_date") + RETURN_WITHIN, output_field=DateField())
    came_back = Exists(
        Karte.objects.filter(
            customer=OuterRef("customer"),
            treatment_date__gt=OuterRef("treatment_date"),
            treatment_date__lte=later,
        )
    )
    visits = Karte.objects.filter(treatment_date__gte=first, treatment_date__lt=end).annotate(
        back=came_back, linked=_linked_on("treatment_date")
    )
    repeat = visits.aggregate(
        visitors_linked=Count("customer", distinct=True, filter=Q(linked=True)),
        returned_linked=Count("customer", distinct=True, filter=Q(linked=True, back=True)),
        visitors_unlinked=Count("customer", distinct=True, filter=Q(linked=False)),
        returned_unlinked=Count("customer", distinct=True, filter=Q(linked=False, back=True)),
    )
    # 次回予約率: visits that left with the next visit booked (booked by the end of the visit's day,
    # for a later day; cancelled later or not, it was booked when they left).
    next_booked = Exists(
        Appointment.objects.filter(
            customer=OuterRef("customer"),
            created_at__date__lte=OuterRef("treatment_date"),
            starts_at__date__gt=OuterRef("treatment_date"),
        )
    )
    booking = (
        Karte.objects.filter(treatment_date__gte=first, treatment_date__lt=end)
        .annotate(next_booked=next_booked)
        .aggregate(visits=Count("pk"), visits_next_booked=Count("pk", filter=Q(next_booked=True)))
    )
    # Notices that started in the month, each with its 閲覧数 as the notice list counts it: the
    # customers it reaches now (everyone linked, or its one customer) and those of them who read it.
    notices = Notice.objects.filter(starts_at__date__gte=first, starts_at__date__lt=end)
    reach, reads = read_totals(notices)
    reach_pushed, reads_pushed = read_totals(notices.filter(push__phones__gt=0))
    return {
        **counts,
        **repeat,
        **booking,
        "repeat_final": today >= last_day + RETURN_WITHIN,
        "notices": notices.count(),
        "reach": reach,
        "reads": reads,
        "reach_pushed": reach_pushed,
        "reads_pushed": reads_pushed,
        **SheetResponse.objects.filter(
            salon=salon, submitted_at__date__gte=first, submitted_at__date__lt=end
        ).aggregate(sheets=Count("pk"), sheets_from_app=Count("pk", filter=Q(source=ResponseSource.APP))),
    }


def analytics_roll_up(*, salon: Salon, today: datetime.date | None = None, months: int = MONTHS) -> int:
    """Work out the salon's last months again (their repeat rates keep growing for 90 days).

    Months whose figures can no longer change are left as they are. Returns the months written.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    kept = set(MonthlyFigures.objects.filter(repeat_final=True).values_list("month", flat=True))
    written = 0
    for first in month_starts(today=today, count=months):
        if first in kept:
            continue
        MonthlyFigures.objects.update_or_create(
            salon=salon, month=first, defaults={**_month(salon, first, today), "computed_at": now}
        )
        written += 1
    return written


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None
