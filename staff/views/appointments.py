"""予約台帳: the day's appointments in a column per staff member, booking, and each appointment's page."""

import datetime
import math
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_scopes import scope

from appointments.models import (
    Appointment,
    AppointmentRequest,
    AppointmentState,
    RequestState,
    ShiftException,
    StaffShift,
)
from appointments.selectors import (
    bookable_menus,
    bookable_staff,
    calendar_feed_appointments,
    calendar_feed_member,
    day_appointments,
    ledger_staff,
    working_days,
    working_hours,
)
from appointments.services import (
    NEXT_STATES,
    BadTimes,
    RequestGone,
    SlotTaken,
    appointment_book,
    appointment_minutes,
    appointment_move,
    appointment_set_state,
    booking_request_confirm,
    booking_request_decline,
    booking_request_propose,
    calendar_feed_renew,
    calendar_feed_stop,
    menu_lines_for,
    shift_exception_delete,
    shift_exception_save,
    shifts_save,
)
from common.ical import Event, ical_calendar
from customers.models import Customer
from menus.selectors import menu_catalogue
from salons.access import owner_required, staff_required
from salons.models import StaffMember

from ..access import get_staff_member_for_owner
from ..forms.appointments import AppointmentForm, AppointmentMoveForm, ShiftExceptionForm, ShiftsForm

SLOT_MINUTES = 15  # one row of the ledger
TAP_MINUTES = 30  # one empty slot to tap
CUSTOMER_RESULTS = 20


def _day(raw) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(raw or "")
    except ValueError:
        return timezone.localdate()
    return day if 1900 <= day.year <= 2100 else timezone.localdate()


def _aware(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def _hours(salon, day):
    opens, closes = _aware(day, salon.opens_at), _aware(day, salon.closes_at)
    if closes <= opens:
        closes = opens + datetime.timedelta(hours=10)
    return opens, closes


def _grid(request, columns: list[dict[str, Any]], appointments, column_for) -> dict[str, Any]:
    """The ledger's grid: a row per 15 minutes of the salon's day, `columns` (each with its day, its
    staff member or None, and its hours, None when off), the appointments placed in the column
    `column_for` gives them, and an empty half-hour to tap wherever the column is open."""
    salon = request.salon
    day0 = columns[0]["day"]
    opens, closes = _hours(salon, day0)
    rows = math.ceil((closes - opens) / datetime.timedelta(minutes=SLOT_MINUTES))
    slot = datetime.timedelta(minutes=SLOT_MINUTES)
    placed, off_the_book = [], []
    for appointment in appointments:
        col = column_for(appointment)
        if not appointment.holds_time or col is None:
            off_the_book.append(appointment)
            continue
        day_opens = _hours(salon, timezone.localtime(appointment.starts_at).date())[0]
        first = (appointment.starts_at - day_opens) / slot
        last = (appointment.ends_at - day_opens) / slot
        if last <= 0 or first >= rows:
            off_the_book.append(appointment)  # outside the hours: listed under the grid
            continue
        placed.append(
            {
                "appointment": appointment,
                "col": col,
                "row": max(0, math.floor(first)) + 2,
                "row_end": min(rows, math.ceil(last)) + 2,
                "minutes": int((appointment.ends_at - appointment.starts_at).total_seconds() // 60),
            }
        )
    steps = TAP_MINUTES // SLOT_MINUTES

    def slots() -> list[dict[str, Any]]:
        """The empty half-hours to tap: worked out only when the grid is drawn, not when it is kept."""
        found = []
        create = reverse("staff:appointment_create")
        for column in columns:
            day_opens = _hours(salon, column["day"])[0]
            for row in range(0, rows, steps):
                start = timezone.localtime(day_opens + datetime.timedelta(minutes=row * SLOT_MINUTES))
                if not _within(column["hours"], start.time()):
                    continue  # off, or outside this staff member's shift: nothing to tap
                query = {"start": start.strftime("%Y-%m-%dT%H:%M")}
                if column["member"] is not None:
                    query["staff"] = column["member"].pk
                found.append(
                    {
                        "start": start.strftime("%Y-%m-%dT%H:%M"),
                        "col": column["col"],
                        "row": row + 2,
                        "row_end": min(rows, row + steps) + 2,
                        "url": f"{create}?{urlencode(query)}",
                        "label": start.strftime("%m/%d %H:%M")
                        if column.get("dated")
                        else start.strftime("%H:%M"),
                        "member": column["member"],
                    }
                )
        return found

    times = [
        {"row": row + 2, "label": timezone.localtime(opens + datetime.timedelta(minutes=row * SLOT_MINUTES))}
        for row in range(0, rows, steps)
    ]
    return {
        "columns": columns,
        "placed": placed,
        "slots": slots,
        "times": times,
        "rows": rows,
        "off_the_book": off_the_book,
    }


@staff_required
def ledger(request):
    """The day: a column per staff member who does treatments, and one for 指名なし."""
    day = _day(request.GET.get("date"))
    salon = request.salon
    staff = ledger_staff()
    hours = working_hours(members=staff, day=day, opens=salon.opens_at, closes=salon.closes_at)
    columns: list[dict[str, Any]] = [
        {
            "member": member,
            "col": index + 2,
            "day": day,
            "hours": hours[member.pk],
            "label": member.display_name,
        }
        for index, member in enumerate(staff)
    ]
    columns.append(
        {
            "member": None,
            "col": len(columns) + 2,
            "day": day,
            "hours": (salon.opens_at, salon.closes_at),
            "label": _("No preference"),
        }
    )
    column_of = {column["member"].pk: column["col"] for column in columns if column["member"]}
    start_of_day = _aware(day, datetime.time())
    appointments = list(day_appointments(start=start_of_day, end=start_of_day + datetime.timedelta(days=1)))
    grid = _grid(request, columns, appointments, lambda a: column_of.get(a.staff_id, columns[-1]["col"]))
    context = {
        **grid,
        "day": day,
        "previous": day - datetime.timedelta(days=1),
        "next": day + datetime.timedelta(days=1),
        "today": timezone.localdate(),
        "staff": staff,
    }
    return render(request, "staff/appointments/ledger.html", context)


@staff_required
def ledger_week(request, pk):
    """One staff member's week, a column per day."""
    member: StaffMember = get_object_or_404(StaffMember.objects.filter(is_active=True), pk=pk)
    day = _day(request.GET.get("date"))
    monday = day - datetime.timedelta(days=day.weekday())
    salon = request.salon
    days = [monday + datetime.timedelta(days=offset) for offset in range(7)]
    hours = working_days(member=member, days=days, opens=salon.opens_at, closes=salon.closes_at)
    columns: list[dict[str, Any]] = [
        {"member": member, "col": index + 2, "day": each, "hours": hours[each], "dated": True, "label": each}
        for index, each in enumerate(days)
    ]
    start = _aware(monday, datetime.time())
    appointments = list(
        day_appointments(start=start, end=start + datetime.timedelta(days=7)).filter(staff=member)
    )
    grid = _grid(
        request, columns, appointments, lambda a: (timezone.localtime(a.starts_at).date() - monday).days + 2
    )
    context = {
        **grid,
        "member": member,
        "monday": monday,
        "previous": monday - datetime.timedelta(days=7),
        "next": monday + datetime.timedelta(days=7),
        "today": timezone.localdate(),
        "staff": ledger_staff(),
    }
    return render(request, "staff/appointments/week.html", context)


def _within(hours, moment: datetime.time) -> bool:
    return hours is not None and hours[0] <= moment < hours[1]


def _outside_hours(request, staff, starts_at, ends_at) -> str | None:
    """Why this staff member cannot take this time (off that day, or outside their shift), or None."""
    if staff is None:
        return None
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    hours = working_hours(
        members=[staff], day=start.date(), opens=request.salon.opens_at, closes=request.salon.closes_at
    )[staff.pk]
    if hours is None:
        return _("%(staff)s is off that day.") % {"staff": staff.display_name}
    if start.time() < hours[0] or (end.date() > start.date() or end.time() > hours[1]):
        return _("%(staff)s works %(start)s–%(end)s that day.") % {
            "staff": staff.display_name,
            "start": hours[0].strftime("%H:%M"),
            "end": hours[1].strftime("%H:%M"),
        }
    return None


def _staff_queryset():
    return bookable_staff()


def _menu_queryset():
    return bookable_menus()


def _initial(request) -> dict:
    initial: dict = {"source": "counter"}
    raw = request.GET.get("start", "")
    try:
        start = datetime.datetime.fromisoformat(raw)
    except ValueError:
        start = None
    if start is not None and 1900 <= start.year <= 2100:
        initial.update(date=start.date(), time=start.time())
    elif request.GET.get("date"):
        initial["date"] = _day(request.GET.get("date"))
    staff = request.GET.get("staff", "")
    if staff.isdigit():
        initial["staff"] = int(staff)
    return initial


def _customer_search(request):
    query = request.GET.get("q", "").strip()
    found = (
        list(
            Customer.objects.active()
            .search(query, salon=request.salon)
            .order_by("kana_sort")[:CUSTOMER_RESULTS]
        )
        if query
        else []
    )
    keep = {key: value for key, value in request.GET.items() if key in {"start", "staff", "date"}}
    return render(
        request,
        "staff/appointments/pick_customer.html",
        {"query": query, "found": found, "keep": urlencode(keep), "keep_fields": keep},
    )


@staff_required
def appointment_create(request):
    """Book: first the customer (searched, or given by the customer's page or the karte), then the rest."""
    raw = request.POST.get("customer") or request.GET.get("customer") or ""
    customer = get_object_or_404(Customer.objects.all(), pk=int(raw)) if raw.isdigit() else None
    if customer is None:
        return _customer_search(request)
    form = AppointmentForm(
        request.POST or None,
        initial=_initial(request),
        staff_queryset=_staff_queryset(),
        menu_queryset=_menu_queryset(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        menus = list(data["menus"])
        starts_at = form.starts_at()
        minutes = data["minutes"] or appointment_minutes(menu_lines_for(menus))
        off = _outside_hours(
            request, data["staff"], starts_at, starts_at + datetime.timedelta(minutes=minutes)
        )
        if off:
            form.add_error("time", off)
            return render(
                request,
                "staff/appointments/form.html",
                {"form": form, "customer": customer, "catalogue": menu_catalogue()},
                status=400,
            )
        try:
            appointment_book(
                salon=request.salon,
                actor=request.user,
                customer=customer,
                staff=data["staff"],
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(minutes=minutes),
                menus=menus,
                note=data["note"],
                source=data["source"],
                client_key=data.get("client_key"),
            )
        except SlotTaken as taken:
            form.add_error("time", _clash_message(taken.other))
        except BadTimes:
            form.add_error("minutes", _("Enter a length of 15 minutes or more."))
        else:
            messages.success(
                request,
                _("Booked: %(customer)s, %(when)s.")
                % {
                    "customer": customer.name,
                    "when": date_format(timezone.localtime(starts_at), "DATETIME_FORMAT"),
                },
            )
            return redirect(
                f"{reverse('staff:ledger')}?date={timezone.localtime(starts_at).date().isoformat()}"
            )
    context = {"form": form, "customer": customer, "catalogue": menu_catalogue()}
    return render(request, "staff/appointments/form.html", context, status=400 if form.errors else 200)


def _appointment(pk) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related("customer", "staff", "state_changed_by"), pk=pk
    )


def _move_form(appointment, data=None):
    start = timezone.localtime(appointment.starts_at)
    initial = {
        "date": start.date(),
        "time": start.time(),
        "staff": appointment.staff_id,
        "minutes": int((appointment.ends_at - appointment.starts_at).total_seconds() // 60),
    }
    return AppointmentMoveForm(data, initial=initial, staff_queryset=_staff_queryset())


def _clash_message(other) -> str:
    if other is None:
        return _("That staff member was booked for that time a moment ago. Choose another time.")
    return _("%(staff)s already has %(customer)s from %(start)s to %(end)s. Choose another time.") % {
        "staff": other.staff.display_name if other.staff else "",
        "customer": other.customer.name,
        "start": timezone.localtime(other.starts_at).strftime("%H:%M"),
        "end": timezone.localtime(other.ends_at).strftime("%H:%M"),
    }


@staff_required
@require_POST
def appointment_move_view(request, pk):
    """Move an appointment: the page's form, or a drag in the ledger (sent by fetch, answered in JSON)."""
    appointment = _appointment(pk)
    dragged = request.headers.get("X-Karte-Move") == "drag"
    form = _move_form(appointment, request.POST)
    error = None
    if form.is_valid() and (
        off := _outside_hours(
            request,
            form.cleaned_data["staff"],
            form.starts_at(),
            form.starts_at() + datetime.timedelta(minutes=form.cleaned_data["minutes"]),
        )
    ):
        error = off
        form.add_error("time", off)
    elif form.is_valid():
        starts_at = form.starts_at()
        try:
            appointment_move(
                appointment=appointment,
                actor=request.user,
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(minutes=form.cleaned_data["minutes"]),
                staff=form.cleaned_data["staff"],
            )
        except SlotTaken as taken:
            error = _clash_message(taken.other)
            form.add_error("time", error)
    else:
        error = _("The appointment was not moved. Check the date and time.")
    if dragged:
        if error:
            return JsonResponse({"error": error}, status=409)
        return JsonResponse({"ok": True})
    if error:
        return _detail(request, appointment, form, status=400)
    messages.success(request, _("The appointment was moved."))
    day = timezone.localtime(appointment.starts_at).date().isoformat()
    return redirect(f"{reverse('staff:ledger')}?date={day}")


@staff_required
def appointment_detail(request, pk):
    return _detail(request, _appointment(pk))


def _detail(request, appointment, move_form=None, status=200):
    choices = dict(AppointmentState.choices)
    context = {
        "move_form": move_form or _move_form(appointment),
        "appointment": appointment,
        "next_states": [(state, choices[state]) for state in NEXT_STATES.get(appointment.state, ())],
        "changed_by": getattr(
            getattr(appointment.state_changed_by, "staff_member", None), "display_name", ""
        ),
    }
    return render(request, "staff/appointments/detail.html", context, status=status)


@staff_required
@require_POST
def appointment_state(request, pk):
    appointment = _appointment(pk)
    state = request.POST.get("state", "")
    if state not in NEXT_STATES.get(appointment.state, ()):
        raise Http404
    try:
        appointment_set_state(appointment=appointment, actor=request.user, state=state)
    except SlotTaken:
        messages.error(request, _("That time is taken by another appointment now; book a new time instead."))
        return redirect("staff:appointment_detail", pk=appointment.pk)
    if state == AppointmentState.ARRIVED and request.staff.works_on_kartes:
        # 「来店」: straight into the karte of this visit, with its staff member and menus.
        url = reverse("staff:karte_create", kwargs={"customer_pk": appointment.customer_id})
        return redirect(f"{url}?appointment={appointment.pk}")
    messages.success(
        request,
        _("%(customer)s: %(state)s.")
        % {"customer": appointment.customer.name, "state": appointment.get_state_display()},
    )
    day = timezone.localtime(appointment.starts_at).date().isoformat()
    return redirect(f"{reverse('staff:ledger')}?date={day}")


def calendar_feed(request, token):
    """A staff member's own appointments for their phone's calendar, at the secret address they made."""
    member = calendar_feed_member(token=token)
    if member is None:
        raise Http404
    now = timezone.now()
    with scope(salon=member.salon), timezone.override(member.salon.timezone):
        events = [
            Event(
                uid=f"appointment-{appointment.pk}@karte",
                starts_at=appointment.starts_at,
                ends_at=appointment.ends_at,
                summary=f"{appointment.customer.name} {appointment.menu_names}".strip(),
                description=appointment.note,
                location=member.salon.name,
                cancelled=not appointment.holds_time,
            )
            for appointment in calendar_feed_appointments(member=member, now=now)
        ]
    body = ical_calendar(name=f"{member.salon.name} · {member.display_name}", events=events, now=now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


@staff_required
@require_POST
def calendar_feed_manage(request):
    """「カレンダー連携」 on the account page: a new secret address (shown once), or none."""
    if request.POST.get("action") == "stop":
        calendar_feed_stop(member=request.staff)
        messages.success(request, _("The calendar address was stopped."))
    else:
        token = calendar_feed_renew(member=request.staff)
        request.session[NEW_FEED_URL] = request.build_absolute_uri(
            reverse("calendar_feed", kwargs={"token": token})
        )
    return redirect(f"{reverse('staff:account')}#calendar-heading")


NEW_FEED_URL = "karte_new_calendar_url"


def _shifts_initial(member) -> dict:
    shifts = {shift.weekday: shift for shift in StaffShift.objects.filter(member=member)}
    initial: dict = {"mode": "weekly" if shifts else "salon"}
    for weekday in range(7):
        shift = shifts.get(weekday)
        initial[f"works_{weekday}"] = shift is not None or not shifts
        initial[f"from_{weekday}"] = shift.starts_at if shift else member.salon.opens_at
        initial[f"until_{weekday}"] = shift.ends_at if shift else member.salon.closes_at
    return initial


@owner_required
def staff_shifts(request, pk):
    """A staff member's week and the dates unlike it: what the ledger offers for them."""
    member = get_staff_member_for_owner(request, pk)
    action = request.POST.get("action") if request.method == "POST" else None
    week_form = ShiftsForm(request.POST if action == "week" else None, initial=_shifts_initial(member))
    day_form = ShiftExceptionForm(request.POST if action == "date" else None)
    if action == "week" and week_form.is_valid():
        shifts_save(member=member, actor=request.user, week=week_form.week())
        messages.success(
            request, _("The working hours of %(name)s were saved.") % {"name": member.display_name}
        )
        return redirect("staff:staff_shifts", pk=member.pk)
    if action == "date" and day_form.is_valid():
        data = day_form.cleaned_data
        hours = None if data["off"] else (data["starts_at"], data["ends_at"])
        shift_exception_save(member=member, actor=request.user, date=data["date"], hours=hours)
        messages.success(request, _("%(date)s was saved.") % {"date": date_format(data["date"])})
        return redirect("staff:staff_shifts", pk=member.pk)
    if action == "delete":
        raw = request.POST.get("exception", "")
        if raw.isdigit():
            shift_exception_delete(member=member, actor=request.user, pk=int(raw))
        return redirect("staff:staff_shifts", pk=member.pk)
    exceptions = ShiftException.objects.filter(member=member, date__gte=timezone.localdate())[:60]
    context = {"member": member, "week_form": week_form, "day_form": day_form, "exceptions": exceptions}
    return render(request, "staff/salon/staff_shifts.html", context, status=400 if action else 200)


REQUESTS_SHOWN = 50


@staff_required
def request_list(request):
    """Requests from the app: those waiting first, each with its preferred times to book at a tap."""
    waiting = list(
        AppointmentRequest.objects.filter(state=RequestState.PENDING).select_related(
            "customer", "staff", "moves"
        )[:REQUESTS_SHOWN]
    )
    answered = list(
        AppointmentRequest.objects.filter(answered_at__isnull=False)
        .select_related("customer", "staff", "appointment")
        .order_by("-answered_at", "-pk")[:20]
    )
    context = {"waiting": waiting, "answered": answered, "staff": _staff_queryset()}
    return render(request, "staff/appointments/requests.html", context)


@staff_required
@require_POST
def request_answer(request, pk):
    asked: AppointmentRequest = get_object_or_404(
        AppointmentRequest.objects.select_related("customer", "staff"),
        pk=pk,
        state__in=(RequestState.PENDING, RequestState.PROPOSED),
    )
    action = request.POST.get("action")
    message = request.POST.get("message", "").strip()[:1000]
    staff_raw = request.POST.get("staff", "")
    staff = _staff_queryset().filter(pk=int(staff_raw)).first() if staff_raw.isdigit() else asked.staff
    if action == "confirm":
        index = request.POST.get("time", "")
        times = asked.preferred
        if not index.isdigit() or int(index) >= len(times):
            raise Http404
        start = times[int(index)]
        off = _outside_hours(request, staff, start, start + datetime.timedelta(minutes=asked.minutes))
        if off:
            messages.error(request, off)
            return redirect("staff:request_list")
        try:
            booking_request_confirm(request=asked, actor=request.user, starts_at=start, staff=staff)
        except SlotTaken as taken:
            messages.error(request, _clash_message(taken.other))
            return redirect("staff:request_list")
        except RequestGone:
            messages.error(request, _("That appointment was cancelled meanwhile; the request is closed."))
            return redirect("staff:request_list")
        done = (
            _("Booked, and %(customer)s was told in the app.")
            if asked.moves_id is None
            else _("Moved, and %(customer)s was told in the app.")
        )
        messages.success(request, done % {"customer": asked.customer.name})
    elif action == "propose":
        try:
            start = timezone.make_aware(datetime.datetime.fromisoformat(request.POST.get("start", "")))
        except ValueError:
            messages.error(request, _("Enter the date and time to propose."))
            return redirect("staff:request_list")
        booking_request_propose(request=asked, actor=request.user, starts_at=start, message=message)
        messages.success(
            request, _("The proposal was sent to %(customer)s.") % {"customer": asked.customer.name}
        )
    elif action == "decline":
        if not message:
            messages.error(
                request, _("Write a message for the customer: why, and what they could do instead.")
            )
            return redirect("staff:request_list")
        booking_request_decline(request=asked, actor=request.user, message=message)
        messages.success(request, _("%(customer)s was told.") % {"customer": asked.customer.name})
    else:
        raise Http404
    return redirect("staff:request_list")
