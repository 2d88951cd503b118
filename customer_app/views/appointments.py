"""The customer's next appointment: on their calendar (.ics), and moved to another time or
cancelled in the app until the salon's deadline (later, the salon's phone number)."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appointments.models import OPEN_REQUEST_STATES
from appointments.selectors import customer_appointment
from appointments.services import (
    PastAppDeadline,
    app_cancel_until,
    appointment_cancel_from_app,
    appointment_change_request,
)
from common.ical import Event, ical_calendar

from ..access import app_view
from ..forms.booking import PreferredTimesForm


@app_view()
def appointment_ics(request, pk):
    appointment = customer_appointment(customer=request.device.customer, pk=pk)
    if appointment is None:
        raise Http404
    salon = request.salon
    event = Event(
        uid=f"appointment-{appointment.pk}@karte",
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        summary=salon.app_title,
        description="\n".join(filter(None, [appointment.menu_names, salon.phone])),
        location=salon.address,
    )
    response = HttpResponse(
        ical_calendar(name=salon.app_title, events=[event], now=timezone.now()), content_type="text/calendar"
    )
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.pk}.ics"'
    return response


@app_view()
@require_POST
def appointment_cancel(request, pk):
    appointment = customer_appointment(customer=request.device.customer, pk=pk)
    if appointment is None:
        raise Http404
    try:
        appointment_cancel_from_app(appointment=appointment, now=timezone.now())
    except PastAppDeadline:
        return redirect(f"{_home(request)}?cancel=late")
    return redirect(f"{_home(request)}?cancel=done")


@app_view()
def appointment_change(request, pk):
    """「日時を変更」: up to three other times; the appointment keeps its time until the salon moves
    it (at once, where the salon books open times in the app and the first one is free)."""
    appointment = customer_appointment(customer=request.device.customer, pk=pk)
    if appointment is None:
        raise Http404
    now = timezone.now()
    until = app_cancel_until(appointment)
    if request.salon.app_booking == "off" or appointment.state != "booked" or until is None or now >= until:
        return _too_late_to_change(request)
    form = PreferredTimesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _asked, moved = appointment_change_request(
                appointment=appointment, times=form.times(), note=form.cleaned_data["note"], now=now
            )
        except PastAppDeadline:
            return _too_late_to_change(request)
        if moved:
            messages.success(request, _("Your appointment was moved. See you then!"))
        else:
            messages.success(
                request, _("Your request was sent. Your appointment stays as it is until the salon answers.")
            )
        return redirect("customer_app:home", slug=request.salon.slug)
    waiting = (
        appointment.change_requests.filter(state__in=OPEN_REQUEST_STATES)
        .order_by("-created_at", "-pk")
        .first()
    )
    context = {"appointment": appointment, "form": form, "waiting": waiting, "until": until}
    return render(
        request, "customer_app/appointment_change.html", context, status=400 if form.errors else 200
    )


def _too_late_to_change(request):
    messages.error(request, _("The time can no longer be changed in the app. Please call the salon."))
    return redirect("customer_app:home", slug=request.salon.slug)


def _home(request) -> str:
    return reverse("customer_app:home", kwargs={"slug": request.salon.slug})
