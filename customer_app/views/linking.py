"""Linking a phone by its code: held back per phone and per salon against guessing."""

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.client_address import client_address
from common.ratelimit import rate_limit_hit, retry_message
from linking.services import LinkError, link_code_redeem, numeric_attempt_hit

from ..access import app_path, app_view, set_device_cookie

# Numeric codes are short, so guessing is held back per phone and per salon.
NUMERIC_LIMIT_PER_CLIENT = (10, 600)
CODE_LIMIT_PER_CLIENT = (30, 600)


def _limited(request, *, numeric: bool) -> int | None:
    client = client_address(request)
    if numeric:
        return rate_limit_hit(
            f"link-numeric:client:{client}",
            limit=NUMERIC_LIMIT_PER_CLIENT[0],
            window=NUMERIC_LIMIT_PER_CLIENT[1],
        ) or numeric_attempt_hit(salon=request.salon)
    return rate_limit_hit(
        f"link-code:client:{client}", limit=CODE_LIMIT_PER_CLIENT[0], window=CODE_LIMIT_PER_CLIENT[1]
    )


LINK_STATUS = {
    "unknown": 400,
    "expired": 410,
    "used": 409,
    "replaced": 409,
    "other_salon": 400,
    "option_off": 403,
    "device_limit": 409,
}


@require_POST
@app_view(device_required=False)
def link(request):
    """Redeem a link code (scanned or typed). Only a POST can use up a code."""
    code = request.POST.get("code", "").strip()
    numeric = request.POST.get("numeric", "").strip()
    wants_json = "application/json" in request.headers.get("Accept", "")
    retry_after = _limited(request, numeric=not code)
    if retry_after is not None:
        message = retry_message(retry_after)
        response = _link_failure(request, message, status=429, wants_json=wants_json)
        response["Retry-After"] = str(retry_after)
        return response
    if not code and not numeric:
        return _link_failure(request, _("Scan the code, or type the 8-digit number."), 400, wants_json)
    try:
        _device, credential = link_code_redeem(
            salon=request.salon,
            code=code or None,
            numeric=numeric or None,
            user_agent=request.headers.get("User-Agent", ""),
        )
    except LinkError as error:
        return _link_failure(request, error.message, LINK_STATUS[error.reason], wants_json)
    home_url = app_path(request.salon)
    response = JsonResponse({"ok": True, "redirect": home_url}) if wants_json else redirect(home_url)
    set_device_cookie(request, response, request.salon, credential)
    return response


def _link_failure(request, message, status, wants_json):
    if wants_json:
        return JsonResponse({"error": message}, status=status)
    context = {"link_error": message, "numeric": request.POST.get("numeric", ""), "relink": False}
    return render(request, "customer_app/onboarding.html", context, status=status)
