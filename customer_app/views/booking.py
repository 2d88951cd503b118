"""「予約する」 in the app: the customer asks for a visit, sees how the salon answered, and takes a time
the salon proposed."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appointments.models import AppointmentRequest, RequestState
from appointments.selectors import bookable_menus, bookable_staff
from appointments.services import RequestGone, SlotTaken, booking_request_confirm, booking_request_create

from ..access import app_view
from ..forms.booking import BookingRequestForm

REQUESTS_SHOWN = 10


def _form(request, data=None):
    return BookingRequestForm(data, staff_queryset=bookable_staff(), menu_queryset=bookable_menus())


@app_view()
def booking(request):
    if request.salon.app_booking == "off":
        raise Http404
    customer = request.device.customer
    form = _form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        _asked, appointment = booking_request_create(
            salon=request.salon,
            customer=customer,
            staff=form.cleaned_data["staff"],
            menus=list(form.cleaned_data["menus"]),
            times=form.times(),
            note=form.cleaned_data["note"],
        )
        if appointment is not None:
            messages.success(request, _("Booked. See you then!"))
            return redirect("customer_app:home", slug=request.salon.slug)
        messages.success(request, _("Your request was sent. The salon will confirm it in the app."))
        return redirect("customer_app:booking", slug=request.salon.slug)
    asked_before = AppointmentRequest.objects.filter(customer=customer).select_related("staff")[
        :REQUESTS_SHOWN
    ]
    return render(request, "customer_app/booking.html", {"form": form, "requests": asked_before})


@app_view()
@require_POST
def booking_accept(request, pk):
    asked = AppointmentRequest.objects.filter(
        customer=request.device.customer, pk=pk, state=RequestState.PROPOSED
    ).first()
    if asked is None or asked.proposed_at is None:
        raise Http404
    try:
        booking_request_confirm(request=asked, actor=None, starts_at=asked.proposed_at, staff=asked.staff)
    except SlotTaken:
        messages.error(request, _("That time was just taken. Please ask again, or call the salon."))
        return redirect("customer_app:booking", slug=request.salon.slug)
    except RequestGone:
        messages.error(
            request, _("That appointment is no longer booked. Please ask again, or call the salon.")
        )
        return redirect("customer_app:home", slug=request.salon.slug)
    messages.success(
        request,
        _("Booked. See you then!")
        if asked.moves_id is None
        else _("Your appointment was moved. See you then!"),
    )
    return redirect("customer_app:home", slug=request.salon.slug)
