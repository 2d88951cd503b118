"""The customer's next appointment: on their calendar (.ics), and cancelled in the app until the
salon's deadline (later, the salon's phone number)."""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from appointments.selectors import customer_appointment
from appointments.services import TooLateToCancel, appointment_cancel_from_app
from common.ical import Event, ical_calendar

from ..access import app_view


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
    except TooLateToCancel:
        return redirect(f"{_home(request)}?cancel=late")
    return redirect(f"{_home(request)}?cancel=done")


def _home(request) -> str:
    return reverse("customer_app:home", kwargs={"slug": request.salon.slug})
