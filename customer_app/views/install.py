"""What makes the app installable: its manifest, its icons, its service worker and the page it
shows offline for a page the phone has not kept."""

import json

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from salons.icons import cached_icon_png, icon_version

from ..access import app_path, app_view
from ..icons import icon_url

ICON_SIZES = {180, 192, 512}


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
    offline = reverse("customer_app:offline", kwargs={"slug": salon.slug})
    config = {
        "scope": app_path(salon),
        "slug": salon.slug,
        "shell": [*shell, offline],
        "offline": offline,
        "version": settings.KARTE_APP_VERSION,
        "name": salon.name,
        "icon": icon_url(salon, 192),
    }
    response = render(
        request, "customer_app/sw.js", {"config": json.dumps(config)}, content_type="application/javascript"
    )
    response["Cache-Control"] = "no-cache"
    return response


@app_view(device_required=False, personal=False)
def offline(request):
    """Kept by the service worker when the app is installed, and shown offline for a page this
    phone has not kept. The same for every phone of the salon: nothing of the customer's is in it."""
    return render(request, "customer_app/offline.html", {"salon": request.salon})
