"""The counselling sheet on the customer's phone: through the salon's link or counter QR code
(no account, no app) or from the app by a linked customer."""

import zoneinfo
from functools import wraps

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from common.client_address import client_address
from common.idempotency import parse_key
from common.ratelimit import rate_limit_hit, retry_message
from counselling.models import ResponseSource
from counselling.selectors import own_last_answers, sheet_questions
from counselling.services import (
    SheetLinkError,
    sheet_get,
    sheet_link_find,
    sheet_response_sent,
    sheet_response_submit,
)
from salons.models import Salon

from ..access import app_view
from ..forms.sheets import SheetForm

# Per phone (or per salon network): a person fills one sheet, a busy counter a few an hour.
SENDS_PER_CLIENT = (30, 3600)
# Wrong or dead links from one address: enough for mistakes, too few to try tokens.
BAD_LINKS_PER_CLIENT = (20, 600)


def _private(response):
    # Answers are personal data and the address holds the link's token: kept by no cache and sent
    # to no other site as a referrer.
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def public_sheet_view(view):
    """A sheet page outside the app: the salon by slug and its scope; no device, no paid option."""

    @wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        salon = get_object_or_404(Salon, slug=slug)
        request.salon = salon
        request.staff = None
        request.device = None
        with scope(salon=salon), timezone.override(zoneinfo.ZoneInfo(salon.timezone)):
            return _private(view(request, salon, *args, **kwargs))

    return wrapper


def _too_many(request, limit, key: str):
    retry_after = rate_limit_hit(f"{key}:{client_address(request)}", limit=limit[0], window=limit[1])
    if retry_after is None:
        return None
    message = retry_message(retry_after)
    response = render(request, "customer_app/sheet_closed.html", {"message": message}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _send(salon, form, *, source, link=None, customer=None, device=None):
    return sheet_response_submit(
        device_label=f"#{device.pk} {device.label}" if device is not None else "",
        client_key=form.cleaned_data.get("client_key"),
        salon=salon,
        source=source,
        answers=form.answers(),
        identity=form.identity(),
        signature=getattr(form, "signature_png", None),
        link=link,
        customer=customer,
    )


def _sent_before(request) -> bool:
    """This very form was kept already (a resend after a lost reply, a double tap)."""
    key = parse_key(request.POST.get("client_key")) if request.method == "POST" else None
    return sheet_response_sent(client_key=key) is not None


@public_sheet_view
def sheet_public(request, salon, token):
    if _sent_before(request):
        return redirect("customer_app:sheet_sent", slug=salon.slug)
    try:
        link = sheet_link_find(salon=salon, token=token)
    except SheetLinkError as error:
        limited = _too_many(request, BAD_LINKS_PER_CLIENT, "sheet-bad-link")
        if limited is not None:
            return limited
        status = 404 if error.reason == "unknown" else 410
        return render(request, "customer_app/sheet_closed.html", {"message": error.message}, status=status)
    sheet = sheet_get(salon=salon)
    questions = sheet_questions(salon=salon)
    form = SheetForm(request.POST or None, sheet=sheet, questions=questions, known_sender=False)
    if request.method == "POST":
        limited = _too_many(request, SENDS_PER_CLIENT, "sheet-send")
        if limited is not None:
            return limited
        if form.is_valid():
            source = ResponseSource.LINK if link.single_use else ResponseSource.COUNTER
            try:
                _send(salon, form, source=source, link=link)
            except SheetLinkError as error:
                if _sent_before(request):  # the same form, sent at once, took the link first
                    return redirect("customer_app:sheet_sent", slug=salon.slug)
                return render(
                    request, "customer_app/sheet_closed.html", {"message": error.message}, status=409
                )
            return redirect("customer_app:sheet_sent", slug=salon.slug)
    context = {"form": form, "sheet": sheet, "questions": questions, "action": request.path}
    return render(request, "customer_app/sheet_form.html", context, status=400 if form.errors else 200)


@public_sheet_view
def sheet_sent(request, salon):
    return render(request, "customer_app/sheet_sent.html", {"in_app": False})


@app_view()
def app_sheet(request):
    """A linked customer fills the sheet again before a visit; it is filed onto them at once."""
    if request.GET.get("sent"):
        return render(request, "customer_app/sheet_sent.html", {"in_app": True})
    if _sent_before(request):
        return redirect(reverse("customer_app:sheet", kwargs={"slug": request.salon.slug}) + "?sent=1")
    customer = request.device.customer
    sheet = sheet_get(salon=request.salon)
    questions = sheet_questions(salon=request.salon)
    last = own_last_answers(customer=customer)
    form = SheetForm(request.POST or None, sheet=sheet, questions=questions, known_sender=True, last=last)
    if request.method == "POST" and questions:
        limited = _too_many(request, SENDS_PER_CLIENT, "sheet-send")
        if limited is not None:
            return limited
        if form.is_valid():
            _send(request.salon, form, source=ResponseSource.APP, customer=customer, device=request.device)
            return redirect(reverse("customer_app:sheet", kwargs={"slug": request.salon.slug}) + "?sent=1")
    context = {
        "form": form,
        "sheet": sheet,
        "questions": questions,
        "last": last,
        "action": request.path,
        "in_app": True,
    }
    return render(request, "customer_app/sheet_form.html", context, status=400 if form.errors else 200)
