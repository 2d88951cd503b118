"""The app's settings and the salon card: the customer's own data request and unlinking."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from counselling.selectors import sheet_is_open
from linking.services import device_revoke
from privacy.selectors import open_data_requests
from privacy.services import data_request_create
from push.selectors import push_is_on
from push.services import push_configured
from salons.selectors import salon_card

from ..access import app_path, app_view, clear_device_cookie


@app_view()
def salon_info(request):
    context = {"card": salon_card(salon=request.salon), "sheet_open": sheet_is_open(salon=request.salon)}
    return render(request, "customer_app/salon.html", context)


@app_view()
def app_settings(request):
    asked = open_data_requests(customer=request.device.customer).first()
    context = {
        "device": request.device,
        "data_request": asked,
        "push_available": push_configured(),
        "push_on": push_is_on(device=request.device),
        "vapid_public_key": settings.VAPID_PUBLIC_KEY,
    }
    return render(request, "customer_app/settings.html", context)


@require_POST
@app_view()
def data_request(request):
    """The customer asks the salon to show or delete their data; staff see it on their page."""
    data_request_create(customer=request.device.customer)
    return redirect("customer_app:settings", slug=request.salon.slug)


@require_POST
@app_view()
def unlink(request):
    device_revoke(device=request.device)
    response = redirect(f"{app_path(request.salon)}?unlinked=1")
    clear_device_cookie(response, request.salon)
    return response
