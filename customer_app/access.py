"""How every customer-app request finds its salon and its device.

Each salon's app lives under /s/<slug>/app/ with its own cookie path, so a phone can hold
several salons' apps side by side, each with its own credential.
"""

import datetime
import zoneinfo
from functools import wraps

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django_scopes import scope

from linking.services import device_authenticate, device_touch
from notices.selectors import unread_count
from salons.models import Salon

COOKIE_NAME = "karte_device"
COOKIE_AGE = datetime.timedelta(days=400)  # the longest a browser keeps a cookie


def app_path(salon: Salon) -> str:
    return reverse("customer_app:home", kwargs={"slug": salon.slug})


def set_device_cookie(request, response, salon: Salon, credential: str) -> None:
    response.set_cookie(
        COOKIE_NAME,
        credential,
        max_age=int(COOKIE_AGE.total_seconds()),
        path=app_path(salon),
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )


def clear_device_cookie(response, salon: Salon) -> None:
    response.delete_cookie(COOKIE_NAME, path=app_path(salon), samesite="Lax")


def app_view(device_required: bool = True, personal: bool = True):
    """Wrap a customer-app view: salon by slug, paid option, salon scope and the device cookie.

    With device_required, a request without a valid device gets the link screen (pages) or
    a 404 (anything else), never a hint of what is behind the URL.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, slug, *args, **kwargs):
            credential = request.COOKIES.get(COOKIE_NAME, "")
            device = device_authenticate(slug=slug, credential=credential)
            salon = device.salon if device is not None else get_object_or_404(Salon, slug=slug)
            request.salon = salon
            request.staff = None
            if not salon.customer_app_enabled:
                return render(request, "customer_app/unavailable.html", {"salon": salon}, status=403)
            response: HttpResponse
            with scope(salon=salon), timezone.override(zoneinfo.ZoneInfo(salon.timezone)):
                request.device = device
                request.had_credential = bool(credential)
                # Counted only if a page shows the tab bar.
                request.unread_notices = SimpleLazyObject(
                    lambda: unread_count(customer=request.device.customer) if request.device else 0
                )
                if request.device is None and device_required:
                    if (
                        request.method == "GET"
                        and request.headers.get("Sec-Fetch-Dest", "document") == "document"
                    ):
                        response = redirect("customer_app:home", slug=salon.slug)
                    else:
                        response = render(
                            request, "customer_app/not_found.html", {"salon": salon}, status=404
                        )
                else:
                    try:
                        response = view(request, *args, **kwargs)
                    except Http404:
                        response = render(
                            request, "customer_app/not_found.html", {"salon": salon}, status=404
                        )
                if COOKIE_NAME in response.cookies:
                    pass  # the view linked or unlinked this phone and set the cookie itself
                elif request.device is not None:
                    device_touch(device=request.device)
                    set_device_cookie(request, response, salon, credential)  # renewed on use
                elif credential:
                    clear_device_cookie(response, salon)
            if personal:
                # Personal data: no-store rather than validated caching. The browser's HTTP cache
                # cannot be emptied by the app, so after an unpublish or an unlink its copies would
                # stay on the phone; offline reading comes from the service worker's own cache
                # instead, which the app prunes (visible.json). Nothing is lost: without ETags a
                # validated copy was downloaded in full on every visit anyway.
                response["Cache-Control"] = "private, no-store"
                response["Vary"] = "Cookie"
            return response

        return wrapper

    return decorator
