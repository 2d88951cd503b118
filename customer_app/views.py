import json

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.client_address import client_address
from common.ratelimit import rate_limit_hit, retry_message
from common.serving import stored_file_response
from counselling.selectors import sheet_is_open
from kartes.models import DISPLAY_SIZES
from kartes.selectors import get_visible_image, get_visible_karte, visible_kartes
from linking.services import LinkError, device_revoke, link_code_redeem, numeric_attempt_hit
from notices.selectors import get_visible_notice, unread_count, visible_notices
from notices.services import notice_mark_read
from privacy.models import DataRequest
from privacy.services import data_request_create
from salons.selectors import salon_card

from .access import app_path, app_view, clear_device_cookie, set_device_cookie
from .cards import home_cards
from .icons import cached_icon_png, icon_url, icon_version

ICON_SIZES = {180, 192, 512}
# Numeric codes are short, so guessing is held back per phone and per salon.
NUMERIC_LIMIT_PER_CLIENT = (10, 600)
CODE_LIMIT_PER_CLIENT = (30, 600)


# The phone shows the newest 30 kartes or notices, and 「もっと見る」 brings the next 30.
PAGE_SIZE = 30


def _page(queryset, request) -> dict:
    """One page of a list, newest first, without counting the whole list (one row more says if
    there is more)."""
    try:
        number = max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        number = 1
    start = (number - 1) * PAGE_SIZE
    rows = list(queryset[start : start + PAGE_SIZE + 1])
    return {
        "rows": rows[:PAGE_SIZE],
        "first": number == 1,
        "next_page": number + 1 if len(rows) > PAGE_SIZE else None,
    }


@app_view(device_required=False)
def home(request):
    if request.device is None:
        context = {"relink": request.had_credential or "unlinked" in request.GET}
        return render(request, "customer_app/onboarding.html", context)
    customer = request.device.customer
    page = _page(visible_kartes(customer=customer), request)
    context = {"page": page, "customer": customer, **home_cards(salon=request.salon, customer=customer)}
    return render(request, "customer_app/home.html", context)


@app_view()
def salon_info(request):
    context = {"card": salon_card(salon=request.salon), "sheet_open": sheet_is_open(salon=request.salon)}
    return render(request, "customer_app/salon.html", context)


@app_view()
def karte_detail(request, pk):
    karte = get_visible_karte(customer=request.device.customer, pk=pk)
    return render(request, "customer_app/karte.html", {"karte": karte})


@app_view()
def image(request, pk, size):
    if size not in DISPLAY_SIZES:
        raise Http404
    item = get_visible_image(customer=request.device.customer, image_id=pk)
    asset = item.image
    assert asset is not None  # get_visible_image finds items by their image
    size = asset.copy_name(size)
    return stored_file_response(
        getattr(asset, size),
        content_type="image/webp",
        request=request,
        sha256=getattr(asset, f"{size}_sha256"),
        modified=asset.created_at,
    )


@app_view()
def notice_list(request):
    page = _page(visible_notices(customer=request.device.customer), request)
    return render(request, "customer_app/notices.html", {"page": page})


@app_view()
def notice_detail(request, pk):
    notice = get_visible_notice(customer=request.device.customer, pk=pk)
    return render(request, "customer_app/notice.html", {"notice": notice})


@require_POST
@app_view()
def notice_read(request, pk):
    """Mark a notice read. Idempotent, so the phone may send it again after being offline."""
    notice = get_visible_notice(customer=request.device.customer, pk=pk)
    notice_mark_read(notice=notice, customer=request.device.customer)
    return JsonResponse({"ok": True, "unread": unread_count(customer=request.device.customer)})


@app_view()
def visible(request):
    """Every page and photo this phone may keep now; the service worker drops the rest.

    Built from the same selectors as the pages, so an unpublished photo, a deleted karte or an
    ended notice leaves the phone the first time it is online.
    """
    customer = request.device.customer

    def url(name, **kwargs):
        return reverse(f"customer_app:{name}", kwargs={"slug": request.salon.slug, **kwargs})

    urls = [url("home"), url("notices"), url("settings"), url("salon")]
    for karte in visible_kartes(customer=customer):
        urls.append(url("karte", pk=karte.pk))
        for item in karte.public_items:  # type: ignore[attr-defined]
            if item.image_id:
                urls += [url("image", pk=item.image_id, size=size) for size in DISPLAY_SIZES]
    urls += [url("notice", pk=notice.pk) for notice in visible_notices(customer=customer)]
    return JsonResponse({"urls": urls})


@app_view()
def app_settings(request):
    asked = DataRequest.objects.filter(customer=request.device.customer, handled_at__isnull=True).first()
    return render(request, "customer_app/settings.html", {"device": request.device, "data_request": asked})


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


@app_view(device_required=False, personal=False)
def manifest(request):
    salon = request.salon
    base = app_path(salon)
    data = {
        "name": salon.name,
        "short_name": salon.app_title,
        "id": base,
        "start_url": base,
        "scope": base,
        "display": "standalone",
        "orientation": "portrait",
        "lang": "ja",
        "background_color": "#f8f5f3",
        "theme_color": salon.theme_color,
        "icons": [
            {
                "src": icon_url(salon, size),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any",
            }
            for size in (192, 512)
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@app_view(device_required=False, personal=False)
def icon(request, size):
    if size not in ICON_SIZES:
        raise Http404
    response = HttpResponse(cached_icon_png(request.salon, size), content_type="image/png")
    if request.GET.get("v") == icon_version(request.salon):
        # This address names this very picture: a new logo or colour gets a new address.
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response["Cache-Control"] = "public, max-age=3600"
    return response


@app_view(device_required=False, personal=False)
def service_worker(request):
    salon = request.salon
    shell = [
        staticfiles_storage.url(path)
        for path in (
            "css/app.css",
            "css/compare.css",
            "js/app.js",
            "js/compare.js",
            "js/scanner.js",
            "vendor/zxing/iife/reader/index.js",
            "favicon.svg",
        )
    ]
    config = {
        "scope": app_path(salon),
        "slug": salon.slug,
        "shell": shell,
        "version": settings.KARTE_APP_VERSION,
    }
    response = render(
        request, "customer_app/sw.js", {"config": json.dumps(config)}, content_type="application/javascript"
    )
    response["Cache-Control"] = "no-cache"
    return response
