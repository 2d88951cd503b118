"""The owner's numbers, rolled up month by month (analytics.tasks, nightly and on first visit)."""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction
from django.db.models import BooleanField, Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from appointments.models import Appointment
from audit.models import AuditEntry
from common.replica import heavy_reads
from counselling.models import ResponseSource, SheetResponse
from customers.models import CustomerMerge
from kartes.actions import KARTE_DELETE
from kartes.models import Karte
from linking.models import Device
from notices.models import Notice
from notices.selectors import read_totals
from salons.models import Salon

from .models import CustomerMonth, MonthlyFigures, RollUpState

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


# Changes written this long before a roll-up began (a transaction still open then) are worked in
# again by the next one: working a customer out twice changes nothing.
CHANGES_OVERLAP = datetime.timedelta(minutes=10)
# Customers worked out at a time, so that memory stays flat however many the salon has.
CUSTOMERS_AT_ONCE = 2000


def analytics_roll_up(*, salon: Salon, today: datetime.date | None = None, months: int = MONTHS) -> int:
    """Work out the salon's last months again (their repeat rates keep growing for 90 days).

    Each customer's part in each month is kept (CustomerMonth), and a month's figures are their sum.
    A month seen for the first time is worked out from every customer who visited in the year up
    to its end; after that, only the customers whose visits, phones, bookings or record changed
    since the last roll-up are worked out again, so a night's work follows the day's changes,
    not the salon's size. Months whose figures can no longer change are left as they are.
    Returns the months written.
    """
    today = today or timezone.localdate()
    started = timezone.now()
    # Visits, phones and bookings are read from the standby while it keeps up (common.replica); a
    # change it has not yet replayed is younger than CHANGES_OVERLAP, so the next roll-up has it.
    source = heavy_reads()
    with transaction.atomic():
        RollUpState.objects.get_or_create(salon=salon)
        state = RollUpState.objects.select_for_update().get(salon=salon)  # one roll-up of a salon at a time
        kept = set(MonthlyFigures.objects.filter(repeat_final=True).values_list("month", flat=True))
        open_months = [first for first in month_starts(today=today, count=months) if first not in kept]
        known = set()
        if state.changes_since is not None:
            known = set(MonthlyFigures.objects.filter(month__in=open_months).values_list("month", flat=True))
        new_months = [first for first in open_months if first not in known]
        totals: dict[datetime.date, dict[str, int]] = {}
        # A month final from today on is never worked out again: its parts are not kept.
        final = {first for first in open_months if _final(first, today)}
        if new_months:
            CustomerMonth.objects.filter(month__in=new_months).delete()
            visitors = _visitors(new_months, source)
            totals.update(_work_out(salon, visitors, new_months, source, replace=False, final=final))
        seen_months = [first for first in open_months if first in known]
        if seen_months:
            # The months' figures so far, and what the changed customers' parts add or take away.
            for row in MonthlyFigures.objects.filter(month__in=seen_months).values("month", *TOTALS):
                totals[row.pop("month")] = row
            assert state.changes_since is not None
            changed = _changed_customers(since=state.changes_since, source=source)
            changes = _work_out(salon, changed, seen_months, source, replace=True, final=final)
            for first, change in changes.items():
                for name, amount in change.items():
                    totals[first][name] += amount
        for first in open_months:
            MonthlyFigures.objects.update_or_create(
                salon=salon,
                month=first,
                defaults={**totals.get(first, dict.fromkeys(TOTALS, 0)), **_month(salon, first, today),
                          "computed_at": started},
            )  # fmt: skip
        CustomerMonth.objects.filter(month__in=final).delete()
        state.changes_since = started - CHANGES_OVERLAP
        state.save(update_fields=["changes_since"])
    return len(open_months)


def _final(first: datetime.date, today: datetime.date) -> bool:
    """Whether the month's figures can no longer change: 90 days have passed since its last day,
    so no visit in it can still be followed by a return."""
    last_day = _next_month(first) - datetime.timedelta(days=1)
    return today >= last_day + RETURN_WITHIN


def _window(months: list[datetime.date]) -> tuple[datetime.date, datetime.date]:
    """The visits that count for these months: a year before the first one's end (active), to 90
    days after the last one (came back)."""
    return _next_month(min(months)) - ACTIVE_WITHIN, _next_month(max(months)) + RETURN_WITHIN


def _visitors(months: list[datetime.date], source: str) -> list[int]:
    """Every customer who visited in the year up to the end of any of these months."""
    start = _next_month(min(months)) - ACTIVE_WITHIN
    return list(
        Karte.objects.using(source)
        .filter(treatment_date__gte=start, treatment_date__lt=_next_month(max(months)))
        .order_by()
        .values_list("customer_id", flat=True)
        .distinct()
    )


def _changed_customers(*, since: datetime.datetime, source: str) -> set[int]:
    """The customers whose part may have changed since then: a karte written or deleted, a phone
    linked or unlinked, an appointment booked, a record merged into another or taken apart again."""
    changed = set(
        Karte.objects.using(source).filter(updated_at__gte=since).values_list("customer_id", flat=True)
    )
    deleted = (
        AuditEntry.objects.using(source)
        .filter(action=KARTE_DELETE, created_at__gte=since)
        .values_list("data", flat=True)
    )
    changed.update(data["customer"] for data in deleted if isinstance(data, dict) and data.get("customer"))
    changed.update(
        Device.objects.using(source)
        .filter(Q(linked_at__gte=since) | Q(revoked_at__gte=since))
        .values_list("customer_id", flat=True)
    )
    changed.update(
        Appointment.objects.using(source).filter(created_at__gte=since).values_list("customer_id", flat=True)
    )
    for merge in CustomerMerge.objects.using(source).filter(
        Q(merged_at__gte=since) | Q(undone_at__gte=since)
    ):
        changed.update((merge.source_id, merge.target_id))
    return changed


def _work_out(
    salon: Salon,
    customers: Iterable[int],
    months: list[datetime.date],
    source: str,
    *,
    replace: bool,
    final: set[datetime.date],
) -> dict[datetime.date, dict[str, int]]:
    """Work out these customers' parts in these months, CUSTOMERS_AT_ONCE customers at a time: their
    visits, phones and bookings in three reads. The parts are written, but for the `final` months,
    which are never worked out again. Returns how much each month's figures change (with replace:
    the new parts less those they replace)."""
    start, end = _window(months)
    pending = sorted(customers)
    changes: dict[datetime.date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(TOTALS, 0))
    for offset in range(0, len(pending), CUSTOMERS_AT_ONCE):
        chunk = pending[offset : offset + CUSTOMERS_AT_ONCE]
        visits: dict[int, list[datetime.date]] = defaultdict(list)
        for customer_id, day in (
            Karte.objects.using(source)
            .filter(customer_id__in=chunk, treatment_date__gte=start, treatment_date__lt=end)
            .values_list("customer_id", "treatment_date")
        ):
            visits[customer_id].append(day)
        phones: dict[int, list[tuple[datetime.date, datetime.date | None]]] = defaultdict(list)
        for customer_id, linked_at, revoked_at in (
            Device.objects.using(source)
            .filter(customer_id__in=chunk)
            .values_list("customer_id", "linked_at", "revoked_at")
        ):
            phones[customer_id].append((_day(linked_at), _day(revoked_at) if revoked_at else None))
        bookings: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
        for customer_id, created_at, starts_at in (
            Appointment.objects.using(source)
            .filter(customer_id__in=chunk, starts_at__gte=_aware(min(months)), created_at__lt=_aware(end))
            .values_list("customer_id", "created_at", "starts_at")
        ):
            bookings[customer_id].append((_day(created_at), _day(starts_at)))
        replaced = CustomerMonth.objects.filter(customer_id__in=chunk, month__in=months)
        if replace:
            for first, before in _totals_of(replaced).items():
                for name, amount in before.items():
                    changes[first][name] -= amount
            replaced.delete()
        parts = [
            part
            for customer_id in chunk
            for part in _parts(salon, customer_id, sorted(visits[customer_id]), phones[customer_id],
                               bookings[customer_id], months)
        ]  # fmt: skip
        CustomerMonth.objects.bulk_create(part for part in parts if part.month not in final)
        for part in parts:
            change = changes[part.month]
            for name, amount in _part_totals(part).items():
                change[name] += amount
    return changes


def _day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _parts(
    salon: Salon,
    customer_id: int,
    visits: list[datetime.date],
    phones: list[tuple[datetime.date, datetime.date | None]],
    bookings: list[tuple[datetime.date, datetime.date]],
    months: list[datetime.date],
) -> Iterator[CustomerMonth]:
    """One customer's part in each month where they count: as the month's figures define it."""

    def linked_on(day: datetime.date) -> bool:
        return any(linked <= day and (revoked is None or revoked > day) for linked, revoked in phones)

    for first in months:
        end = _next_month(first)
        if not any(end - ACTIVE_WITHIN <= day < end for day in visits):
            continue  # no visit in the year up to the month's end: not counted, not even as active
        part = CustomerMonth(
            salon=salon, customer_id=customer_id, month=first, active=True,
            linked=linked_on(end - datetime.timedelta(days=1)),
        )  # fmt: skip
        for day in visits:
            if not first <= day < end:
                continue
            back = any(day < later <= day + RETURN_WITHIN for later in visits)
            if linked_on(day):
                part.visited_linked, part.returned_linked = True, part.returned_linked or back
            else:
                part.visited_unlinked, part.returned_unlinked = True, part.returned_unlinked or back
            part.visits += 1
            part.visits_next_booked += any(made <= day < starts for made, starts in bookings)
        yield part


# The figures that are sums of the customers' parts, each with the part's field it adds up.
PART_FIGURES = {
    "active": "active",
    "linked": "linked",
    "visitors_linked": "visited_linked",
    "returned_linked": "returned_linked",
    "visitors_unlinked": "visited_unlinked",
    "returned_unlinked": "returned_unlinked",
    "visits": "visits",
    "visits_next_booked": "visits_next_booked",
}


def _summed(field: str) -> Count | Coalesce:
    """A yes/no field is counted where yes; a number is added up."""
    if isinstance(CustomerMonth._meta.get_field(field), BooleanField):
        return Count("pk", filter=Q(**{field: True}))
    return Coalesce(Sum(field), 0)


TOTALS = {figure: _summed(field) for figure, field in PART_FIGURES.items()}


def _totals_of(parts: QuerySet[CustomerMonth]) -> dict[datetime.date, dict[str, int]]:
    rows = parts.values("month").annotate(**TOTALS).order_by()
    return {row.pop("month"): row for row in rows}


def _part_totals(part: CustomerMonth) -> dict[str, int]:
    """What one customer's part adds to its month's figures (TOTALS, for one row)."""
    return {figure: int(getattr(part, field)) for figure, field in PART_FIGURES.items()}


def parts_forget(parts: QuerySet[CustomerMonth]) -> None:
    """Delete customers' parts outside a roll-up (their record erased or merged), taking them off
    their months' figures, which the roll-up otherwise keeps by adding what changes."""
    for first, amounts in _totals_of(parts).items():
        MonthlyFigures.objects.filter(month=first).update(
            **{name: F(name) - n for name, n in amounts.items()}
        )
    parts.delete()


def _month(salon: Salon, first: datetime.date, today: datetime.date) -> dict[str, Any]:
    """The month's figures that are not the customers' parts: its notices and sheets, a few rows."""
    end = _next_month(first)
    # Notices that started in the month, each with its 閲覧数 as the notice list counts it: the
    # customers it reaches now (everyone linked, or its one customer) and those of them who read it.
    notices = Notice.objects.filter(starts_at__date__gte=first, starts_at__date__lt=end)
    reach, reads = read_totals(notices)
    reach_pushed, reads_pushed = read_totals(notices.filter(push__phones__gt=0))
    return {
        "repeat_final": _final(first, today),
        "notices": notices.count(),
        "reach": reach,
        "reads": reads,
        "reach_pushed": reach_pushed,
        "reads_pushed": reads_pushed,
        **SheetResponse.objects.filter(
            salon=salon, submitted_at__date__gte=first, submitted_at__date__lt=end
        ).aggregate(sheets=Count("pk"), sheets_from_app=Count("pk", filter=Q(source=ResponseSource.APP))),
    }


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None
