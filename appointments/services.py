"""Booking: one staff member's appointments never overlap, whoever books at the same moment.

Three guards, each enough on its own where it applies: the booking transaction locks the staff
member's row before it looks for an overlap (two tablets booking one slot take turns); on SQLite
the write transaction itself is exclusive; on PostgreSQL an exclusion constraint on the time range
(migration 0002) refuses an overlap whatever wrote it.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import uuid
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from audit.services import audit_log
from common.actors import Actor
from common.idempotency import create_once
from customers.models import Customer
from menus.models import MenuItem
from notices.models import Notice
from notices.services import notice_create, notice_withdraw
from salons.models import Salon, StaffMember

from . import actions
from .models import (
    HOLDS_TIME,
    LONGEST,
    OPEN_REQUEST_STATES,
    Appointment,
    AppointmentRequest,
    AppointmentSource,
    AppointmentState,
    CalendarFeed,
    RequestState,
    ShiftException,
    StaffShift,
)
from .selectors import in_working_hours

DEFAULT_MINUTES = 60
# Where an appointment may go from each state (and back, for a tap by mistake).
NEXT_STATES: dict[str, tuple[str, ...]] = {
    AppointmentState.BOOKED: (AppointmentState.ARRIVED, AppointmentState.CANCELLED, AppointmentState.NO_SHOW),
    AppointmentState.ARRIVED: (AppointmentState.DONE, AppointmentState.BOOKED),
    AppointmentState.DONE: (AppointmentState.ARRIVED,),
    AppointmentState.CANCELLED: (AppointmentState.BOOKED,),
    AppointmentState.NO_SHOW: (AppointmentState.BOOKED,),
}


class SlotTaken(Exception):
    """The staff member already has an appointment in that time."""

    def __init__(self, other: Appointment | None = None):
        super().__init__("slot taken")
        self.other = other


class BadTimes(ValueError):
    pass


def menu_lines_for(items: Sequence[MenuItem]) -> list[dict[str, Any]]:
    return [
        {"id": item.pk, "name": item.name, "price": item.price, "minutes": item.minutes} for item in items
    ]


def appointment_minutes(lines: Sequence[dict[str, Any]]) -> int:
    """The menus' minutes added up; a menu without a duration counts as none, no menus as an hour."""
    total = sum(int(line.get("minutes") or 0) for line in lines)
    return total or DEFAULT_MINUTES


def overlapping(
    *, staff: StaffMember, starts_at: datetime.datetime, ends_at: datetime.datetime, but: int | None = None
) -> Appointment | None:
    found = Appointment.objects.filter(
        staff=staff,
        state__in=HOLDS_TIME,
        starts_at__gte=starts_at - LONGEST,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    ).select_related("customer")
    if but is not None:
        found = found.exclude(pk=but)
    return found.first()


def _reminder_withdraw(appointment: Appointment) -> None:
    """A reminder that no longer tells the truth (cancelled, or another time) leaves the app at once;
    a moved appointment may be reminded again at its new time."""
    # Read from the row: the reminder may have been posted by a worker after this object was loaded.
    notice_id = (
        Appointment.objects.filter(pk=appointment.pk).values_list("reminder_notice_id", flat=True).first()
    )
    if notice_id is None:
        return
    notice = Notice.objects.filter(pk=notice_id).first()
    if notice is not None:
        notice_withdraw(notice=notice, actor=None)
    Appointment.objects.filter(pk=appointment.pk).update(reminder_notice=None, reminded_at=None)
    appointment.reminder_notice_id, appointment.reminded_at = None, None


def _change_requests_withdraw(appointment: Appointment, *, but: int | None = None) -> None:
    """Open requests to move an appointment that is no longer booked (or asked for anew) close."""
    open_requests = AppointmentRequest.objects.filter(moves=appointment, state__in=OPEN_REQUEST_STATES)
    if but is not None:
        open_requests = open_requests.exclude(pk=but)
    open_requests.update(state=RequestState.WITHDRAWN, answered_at=timezone.now())


def _hold(
    staff: StaffMember | None, starts_at: datetime.datetime, ends_at: datetime.datetime, but: int | None
) -> None:
    """Inside the booking transaction: take the staff member's turn, then look for an overlap."""
    if ends_at <= starts_at or ends_at - starts_at > LONGEST:
        raise BadTimes("ends before it starts, or lasts too long")
    if staff is None:
        return  # 指名なし: assigned later; overlaps are the ledger's to show
    StaffMember.objects.select_for_update().filter(pk=staff.pk).first()
    other = overlapping(staff=staff, starts_at=starts_at, ends_at=ends_at, but=but)
    if other is not None:
        raise SlotTaken(other)


def appointment_book(
    *,
    salon: Salon,
    actor: Actor,
    customer: Customer,
    staff: StaffMember | None,
    starts_at: datetime.datetime,
    menus: Sequence[MenuItem] = (),
    ends_at: datetime.datetime | None = None,
    note: str = "",
    source: str = AppointmentSource.COUNTER,
    client_key: uuid.UUID | None = None,
) -> Appointment:
    """Book a visit; SlotTaken when the staff member is busy then. The same form sent twice books once."""
    lines = menu_lines_for(menus)
    end = ends_at or starts_at + datetime.timedelta(minutes=appointment_minutes(lines))

    def create() -> Appointment:
        _hold(staff, starts_at, end, None)
        appointment = Appointment.objects.create(
            salon=salon,
            customer=customer,
            staff=staff,
            starts_at=starts_at,
            ends_at=end,
            menu_lines=lines,
            note=note,
            source=source,
            created_by=actor,
            client_key=client_key,
        )
        audit_log(
            salon=salon,
            actor=actor,
            action=actions.APPOINTMENT_BOOK,
            target=appointment,
            summary=customer.name,
            data={"starts_at": starts_at.isoformat(), "staff": staff.pk if staff else None},
        )
        return appointment

    try:
        return create_once(Appointment.objects.all(), client_key, create)
    except IntegrityError as error:
        if "appointment_staff_no_overlap" in str(error):
            raise SlotTaken() from None
        raise


def appointment_move(
    *,
    appointment: Appointment,
    actor: Actor,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    staff: StaffMember | None,
) -> Appointment:
    """Another time or another staff member (dragged in the ledger, or edited)."""
    try:
        with transaction.atomic():
            if appointment.holds_time:
                _hold(staff, starts_at, ends_at, appointment.pk)
            elif ends_at <= starts_at or ends_at - starts_at > LONGEST:
                raise BadTimes("ends before it starts, or lasts too long")
            moved = appointment.starts_at != starts_at
            appointment.starts_at, appointment.ends_at, appointment.staff = starts_at, ends_at, staff
            appointment.save(update_fields=["starts_at", "ends_at", "staff", "updated_at"])
            if moved:
                _reminder_withdraw(appointment)
            audit_log(
                salon=appointment.salon,
                actor=actor,
                action=actions.APPOINTMENT_CHANGE,
                target=appointment,
                summary=appointment.customer.name,
                data={"starts_at": starts_at.isoformat(), "staff": staff.pk if staff else None},
            )
    except IntegrityError as error:
        if "appointment_staff_no_overlap" in str(error):
            raise SlotTaken() from None
        raise
    return appointment


def appointment_set_state(*, appointment: Appointment, actor: Actor, state: str) -> Appointment:
    """予約 → 来店 → 完了, or キャンセル / 無断キャンセル, with who and when; a cancelled one booked
    again must still find its time free."""
    if state not in NEXT_STATES.get(appointment.state, ()):
        raise ValueError(f"{appointment.state} cannot become {state}")
    try:
        with transaction.atomic():
            if state in HOLDS_TIME and not appointment.holds_time:
                _hold(appointment.staff, appointment.starts_at, appointment.ends_at, appointment.pk)
            appointment.state = state
            appointment.state_changed_by = actor
            appointment.state_changed_at = timezone.now()
            appointment.save(update_fields=["state", "state_changed_by", "state_changed_at", "updated_at"])
            if state in (AppointmentState.CANCELLED, AppointmentState.NO_SHOW):
                _reminder_withdraw(appointment)
            if state != AppointmentState.BOOKED:
                _change_requests_withdraw(appointment)
            audit_log(
                salon=appointment.salon,
                actor=actor,
                action=actions.APPOINTMENT_STATE,
                target=appointment,
                summary=appointment.customer.name,
                data={"state": state},
            )
    except IntegrityError as error:
        if "appointment_staff_no_overlap" in str(error):
            raise SlotTaken() from None
        raise
    return appointment


def calendar_feed_renew(*, member: StaffMember) -> str:
    """A new secret address for the member's calendar feed (the old one stops at once); the token
    is returned once, to be shown once."""
    token = secrets.token_urlsafe(24)
    CalendarFeed.objects.update_or_create(
        member=member,
        defaults={"token_sha256": hashlib.sha256(token.encode()).hexdigest(), "salon_id": member.salon_id},
    )
    return token


def calendar_feed_stop(*, member: StaffMember) -> None:
    CalendarFeed.objects.filter(member=member).delete()


def shifts_save(
    *, member: StaffMember, actor: Actor, week: dict[int, tuple[datetime.time, datetime.time]] | None
) -> None:
    """The member's weekly shifts (weekday → hours; a weekday left out is a day off), or None: the
    salon's hours every day."""
    with transaction.atomic():
        StaffShift.objects.filter(member=member).delete()
        for weekday, (start, end) in sorted((week or {}).items()):
            StaffShift.objects.create(
                salon=member.salon, member=member, weekday=weekday, starts_at=start, ends_at=end
            )
        audit_log(
            salon=member.salon,
            actor=actor,
            action=actions.SHIFTS_CHANGE,
            target=member,
            summary=member.display_name,
            data={"weekdays": sorted(week) if week is not None else None},
        )


def shift_exception_save(
    *,
    member: StaffMember,
    actor: Actor,
    date: datetime.date,
    hours: tuple[datetime.time, datetime.time] | None,
) -> None:
    """One date's hours (None: the day off), replacing what that date had."""
    with transaction.atomic():
        ShiftException.objects.update_or_create(
            member=member,
            date=date,
            defaults={
                "salon": member.salon,
                "starts_at": hours[0] if hours else None,
                "ends_at": hours[1] if hours else None,
            },
        )
        audit_log(
            salon=member.salon,
            actor=actor,
            action=actions.SHIFTS_CHANGE,
            target=member,
            summary=member.display_name,
            data={"date": date.isoformat(), "off": hours is None},
        )


def shift_exception_delete(*, member: StaffMember, actor: Actor, pk: int) -> bool:
    deleted, _ = ShiftException.objects.filter(member=member, pk=pk).delete()
    return bool(deleted)


def app_cancel_until(appointment: Appointment, salon: Salon | None = None) -> datetime.datetime | None:
    """Until when the customer may cancel in the app (None: not in the app). `salon`: the
    appointment's salon where the caller holds it already."""
    hours = (salon or appointment.salon).app_cancel_hours
    if hours is None:
        return None
    return appointment.starts_at - datetime.timedelta(hours=hours)


class PastAppDeadline(Exception):
    """The salon's deadline for changes in the app has passed (or the appointment is no longer booked)."""


def appointment_cancel_from_app(*, appointment: Appointment, now: datetime.datetime) -> Appointment:
    """The customer cancels in the app, before the salon's deadline; recorded as theirs."""
    until = app_cancel_until(appointment)
    if appointment.state != AppointmentState.BOOKED or until is None or now >= until:
        raise PastAppDeadline()
    with transaction.atomic():
        appointment.state = AppointmentState.CANCELLED
        appointment.state_changed_by = None
        appointment.state_changed_at = now
        appointment.save(update_fields=["state", "state_changed_by", "state_changed_at", "updated_at"])
        _reminder_withdraw(appointment)
        _change_requests_withdraw(appointment)
        audit_log(
            salon=appointment.salon,
            actor=None,
            action=actions.APPOINTMENT_STATE,
            target=appointment,
            summary=appointment.customer.name,
            data={"state": "cancelled", "by": "customer"},
        )
    return appointment


# Requests from the app -------------------------------------------------------------------------------


def _tell(request: AppointmentRequest, title: str, body: str, until: datetime.datetime) -> None:
    """The customer hears of the salon's answer in the app (and by push where they allowed it)."""
    now = timezone.now()
    notice_create(
        salon=request.salon,
        actor=None,
        title=title,
        body=body,
        starts_at=now,
        ends_at=max(until, now + datetime.timedelta(days=7)),
        customer=request.customer,
    )


def _when(moment: datetime.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{formats.date_format(local.date(), 'MONTH_DAY_FORMAT')} {local:%H:%M}"


def _books_at_once(
    salon: Salon, staff: StaffMember | None, starts_at: datetime.datetime, minutes: int
) -> bool:
    """Where the salon books open times at once: a named staff member, inside their hours (whether
    the time is free, the booking itself decides)."""
    return (
        salon.app_booking == "instant"
        and staff is not None
        and in_working_hours(
            staff=staff, starts_at=starts_at, ends_at=starts_at + datetime.timedelta(minutes=minutes)
        )
    )


def booking_request_create(
    *,
    salon: Salon,
    customer: Customer,
    staff: StaffMember | None,
    menus: Sequence[MenuItem],
    times: Sequence[datetime.datetime],
    note: str = "",
) -> tuple[AppointmentRequest, Appointment | None]:
    """The customer asks; where the salon books open times at once and the first time is free, the
    appointment is made straight away (returned with the request)."""
    lines = menu_lines_for(menus)
    minutes = appointment_minutes(lines)
    request = AppointmentRequest.objects.create(
        salon=salon,
        customer=customer,
        staff=staff,
        menu_lines=lines,
        minutes=minutes,
        times=[moment.isoformat() for moment in times],
        note=note,
    )
    if not _books_at_once(salon, staff, times[0], minutes):
        return request, None
    assert staff is not None
    try:
        appointment = appointment_book(
            salon=salon,
            actor=None,
            customer=customer,
            staff=staff,
            starts_at=times[0],
            menus=menus,
            note=note,
            source=AppointmentSource.APP,
        )
    except (SlotTaken, BadTimes):
        return request, None
    request.state, request.appointment = RequestState.CONFIRMED, appointment
    request.answered_at = timezone.now()
    request.save(update_fields=["state", "appointment", "answered_at"])
    return request, appointment


def booking_request_confirm(
    *, request: AppointmentRequest, actor: Actor, starts_at: datetime.datetime, staff: StaffMember | None
) -> Appointment:
    """Staff book one of the preferred times (or the one they proposed and the customer took); a
    request to move an appointment moves it. RequestGone when that appointment is no longer booked."""
    if request.moves_id is not None:
        return _change_confirm(request=request, actor=actor, starts_at=starts_at, staff=staff)
    with transaction.atomic():
        appointment = appointment_book(
            salon=request.salon,
            actor=actor,
            customer=request.customer,
            staff=staff,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(minutes=request.minutes),
            note=request.note,
            source=AppointmentSource.APP,
        )
        appointment.menu_lines = request.menu_lines
        appointment.save(update_fields=["menu_lines"])
        _confirmed(request, appointment, actor, _("Your appointment is booked"))
    return appointment


def _confirmed(request: AppointmentRequest, appointment: Appointment, actor: Actor, title: str) -> None:
    """The request answered with this appointment, and the customer told when to come."""
    request.state, request.appointment = RequestState.CONFIRMED, appointment
    request.answered_by, request.answered_at = actor, timezone.now()
    request.save(update_fields=["state", "appointment", "answered_by", "answered_at"])
    _tell(
        request,
        title,
        _("We look forward to seeing you at %(when)s.") % {"when": _when(appointment.starts_at)},
        appointment.ends_at,
    )


def booking_request_propose(
    *, request: AppointmentRequest, actor: Actor, starts_at: datetime.datetime, message: str
) -> AppointmentRequest:
    with transaction.atomic():
        request.state, request.proposed_at, request.reply = RequestState.PROPOSED, starts_at, message
        request.answered_by, request.answered_at = actor, timezone.now()
        request.save(update_fields=["state", "proposed_at", "reply", "answered_by", "answered_at"])
        body = _("The salon proposes %(when)s. Accept it in the app under 「予約」.") % {
            "when": _when(starts_at)
        }
        _tell(request, _("About your booking request"), f"{body}\n{message}".strip(), starts_at)
    return request


def booking_request_decline(*, request: AppointmentRequest, actor: Actor, message: str) -> AppointmentRequest:
    with transaction.atomic():
        request.state, request.reply = RequestState.DECLINED, message
        request.answered_by, request.answered_at = actor, timezone.now()
        request.save(update_fields=["state", "reply", "answered_by", "answered_at"])
        if request.moves is not None:
            kept = _("Your appointment stays at %(when)s.") % {"when": _when(request.moves.starts_at)}
            message = f"{message}\n{kept}".strip()
        _tell(request, _("About your booking request"), message, timezone.now())
    return request


# A change of time asked in the app ------------------------------------------------------------------


class RequestGone(Exception):
    """The appointment a request would move was cancelled (or has begun) meanwhile."""


def appointment_change_request(
    *, appointment: Appointment, times: Sequence[datetime.datetime], note: str = "", now: datetime.datetime
) -> tuple[AppointmentRequest, bool]:
    """The customer asks for another time for their appointment, until the salon's deadline; an
    earlier open request for it is withdrawn. Where the salon books open times at once and the first
    time is free for the same staff member, the appointment is moved straight away (True); otherwise
    it keeps its time until the salon answers."""
    until = app_cancel_until(appointment)
    if appointment.state != AppointmentState.BOOKED or until is None or now >= until:
        raise PastAppDeadline()
    salon = appointment.salon
    length = appointment.ends_at - appointment.starts_at
    with transaction.atomic():
        request = AppointmentRequest.objects.create(
            salon=salon,
            customer=appointment.customer,
            staff=appointment.staff,
            menu_lines=appointment.menu_lines,
            minutes=int(length.total_seconds() // 60),
            times=[moment.isoformat() for moment in times],
            note=note,
            moves=appointment,
        )
        _change_requests_withdraw(appointment, but=request.pk)
    if not _books_at_once(salon, appointment.staff, times[0], request.minutes):
        return request, False
    try:
        appointment_move(
            appointment=appointment,
            actor=None,
            starts_at=times[0],
            ends_at=times[0] + length,
            staff=appointment.staff,
        )
    except (SlotTaken, BadTimes):
        return request, False
    request.state, request.appointment, request.answered_at = RequestState.CONFIRMED, appointment, now
    request.save(update_fields=["state", "appointment", "answered_at"])
    return request, True


def _change_confirm(
    *, request: AppointmentRequest, actor: Actor, starts_at: datetime.datetime, staff: StaffMember | None
) -> Appointment:
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",)).filter(change_requests=request).first()
        )
        if appointment is None or appointment.state != AppointmentState.BOOKED:
            raise RequestGone()
        appointment_move(
            appointment=appointment,
            actor=actor,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(minutes=request.minutes),
            staff=staff,
        )
        _confirmed(request, appointment, actor, _("Your appointment was moved"))
    return appointment
