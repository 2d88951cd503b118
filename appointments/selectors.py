"""The reads the ledger and the booking pages are built from: a bounded number of queries a page."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet

from customers.models import Customer
from salons.models import StaffMember

from .models import HOLDS_TIME, Appointment


def day_appointments(*, start: datetime.datetime, end: datetime.datetime) -> QuerySet[Appointment]:
    """Every appointment of the salon in [start, end), with its customer and staff member."""
    return (
        Appointment.objects.filter(starts_at__lt=end, ends_at__gt=start)
        .select_related("customer", "staff")
        .order_by("starts_at", "pk")
    )


def ledger_staff() -> list[StaffMember]:
    """The columns of the ledger: active staff who do treatments (reception takes no bookings)."""
    return [
        member
        for member in StaffMember.objects.filter(is_active=True).order_by("pk")
        if member.works_on_kartes
    ]


def appointment_for_karte(*, customer: Customer, pk: Any) -> Appointment | None:
    if not str(pk or "").isdigit():
        return None
    return (
        Appointment.objects.filter(customer=customer, pk=int(pk), state__in=HOLDS_TIME)
        .select_related("staff")
        .first()
    )


def upcoming_for_customer(*, customer: Customer, now: datetime.datetime, limit: int = 5) -> list[Appointment]:
    return list(
        Appointment.objects.filter(customer=customer, ends_at__gte=now, state__in=HOLDS_TIME)
        .select_related("staff")
        .order_by("starts_at")[:limit]
    )
