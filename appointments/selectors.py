"""The reads the ledger and the booking pages are built from: a bounded number of queries a page."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django_scopes import scopes_disabled

from customers.models import Customer
from menus.models import MenuItem
from salons.models import StaffMember, StaffRole

from .models import (
    HOLDS_TIME,
    LONGEST,
    OPEN_REQUEST_STATES,
    Appointment,
    AppointmentRequest,
    CalendarFeed,
    ShiftException,
    StaffShift,
)


def day_appointments(*, start: datetime.datetime, end: datetime.datetime) -> QuerySet[Appointment]:
    """Every appointment of the salon in [start, end), with its customer and staff member."""
    return (
        Appointment.objects.filter(starts_at__gte=start - LONGEST, starts_at__lt=end, ends_at__gt=start)
        .select_related("customer", "staff")
        .order_by("starts_at", "pk")
    )


def bookable_staff() -> QuerySet[StaffMember]:
    """Who can be booked: active staff who do treatments (reception takes no bookings)."""
    return StaffMember.objects.filter(is_active=True).exclude(role=StaffRole.RECEPTION).order_by("pk")


def ledger_staff() -> list[StaffMember]:
    """The columns of the ledger."""
    return list(bookable_staff())


def bookable_menus() -> QuerySet[MenuItem]:
    """The menus a booking can pick, in the catalogue's order."""
    return MenuItem.objects.filter(archived_at__isnull=True, category__archived_at__isnull=True).order_by(
        "category__position", "position", "pk"
    )


def appointment_for_karte(*, customer: Customer, pk: Any) -> Appointment | None:
    if not str(pk or "").isdigit():
        return None
    return (
        Appointment.objects.filter(customer=customer, pk=int(pk), state__in=HOLDS_TIME)
        .select_related("staff")
        .first()
    )


def customer_appointment(*, customer: Customer, pk: int) -> Appointment | None:
    """One of the customer's own appointments that still holds its time (another's is None)."""
    return (
        Appointment.objects.filter(customer=customer, pk=pk, state__in=HOLDS_TIME)
        .select_related("staff")
        .first()
    )


def upcoming_for_customer(*, customer: Customer, now: datetime.datetime, limit: int = 5) -> list[Appointment]:
    """The customer's coming appointments, each with `change_asked`: whether a request to move it
    waits for the salon."""
    asked = AppointmentRequest.objects.filter(moves=OuterRef("pk"), state__in=OPEN_REQUEST_STATES)
    return list(
        Appointment.objects.filter(customer=customer, ends_at__gte=now, state__in=HOLDS_TIME)
        .annotate(change_asked=Exists(asked))
        .select_related("staff")
        .order_by("starts_at")[:limit]
    )


FEED_DAYS_BEFORE = 30
FEED_DAYS_AFTER = 120


def calendar_feed_member(*, token: str) -> StaffMember | None:
    """The active staff member whose feed address this is (no scope: the address is the key)."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    with scopes_disabled():
        feed = CalendarFeed.objects.select_related("member__salon").filter(token_sha256=digest).first()
    if feed is None or not feed.member.is_active:
        return None
    return feed.member


def calendar_feed_appointments(*, member: StaffMember, now: datetime.datetime) -> list[Appointment]:
    return list(
        Appointment.objects.filter(
            staff=member,
            starts_at__gte=now - datetime.timedelta(days=FEED_DAYS_BEFORE),
            starts_at__lt=now + datetime.timedelta(days=FEED_DAYS_AFTER),
        )
        .select_related("customer")
        .order_by("starts_at")[:2000]
    )


Hours = tuple[datetime.time, datetime.time] | None


def _weekly(ids: list[int]) -> dict[int, dict[int, StaffShift]]:
    shifts: dict[int, dict[int, StaffShift]] = {}
    for shift in StaffShift.objects.filter(member_id__in=ids):
        shifts.setdefault(shift.member_id, {})[shift.weekday] = shift
    return shifts


def _hours(
    member_id: int,
    day: datetime.date,
    exceptions: dict[tuple[int, datetime.date], ShiftException],
    shifts: dict[int, dict[int, StaffShift]],
    salon_hours: tuple[datetime.time, datetime.time],
) -> Hours:
    """The date's exception, else the weekday's shift, else the salon's hours for a member without
    any shifts."""
    exception = exceptions.get((member_id, day))
    if exception is not None:
        if exception.is_day_off or exception.starts_at is None or exception.ends_at is None:
            return None
        return (exception.starts_at, exception.ends_at)
    if member_id in shifts:
        weekly = shifts[member_id].get(day.weekday())
        return (weekly.starts_at, weekly.ends_at) if weekly else None
    return salon_hours


def working_hours(
    *, members: list[StaffMember], day: datetime.date, opens: datetime.time, closes: datetime.time
) -> dict[int, Hours]:
    """Each member's hours on `day` (None: off). Two queries, however many staff."""
    ids = [member.pk for member in members]
    exceptions = {
        (e.member_id, e.date): e for e in ShiftException.objects.filter(member_id__in=ids, date=day)
    }
    shifts = _weekly(ids)
    return {member.pk: _hours(member.pk, day, exceptions, shifts, (opens, closes)) for member in members}


def working_days(
    *, member: StaffMember, days: list[datetime.date], opens: datetime.time, closes: datetime.time
) -> dict[datetime.date, Hours]:
    """One member's hours on each of `days` (None: off). Two queries, however many days."""
    exceptions = {
        (e.member_id, e.date): e for e in ShiftException.objects.filter(member=member, date__in=days)
    }
    shifts = _weekly([member.pk])
    return {day: _hours(member.pk, day, exceptions, shifts, (opens, closes)) for day in days}


def in_working_hours(*, staff: StaffMember, starts_at: datetime.datetime, ends_at: datetime.datetime) -> bool:
    """Whether the whole visit falls inside the member's hours that day (the app books nothing else
    at once: a time outside them is a request the salon answers)."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    salon = staff.salon
    hours = working_hours(members=[staff], day=start.date(), opens=salon.opens_at, closes=salon.closes_at)[
        staff.pk
    ]
    return (
        hours is not None
        and end.date() == start.date()
        and hours[0] <= start.time()
        and end.time() <= hours[1]
    )
