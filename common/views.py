import sys

from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from .bodylimit import too_large_response
from .outage import classify, outage_response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a page that has gone stale: say so plainly and offer the way back."""
    return render(request, "403_csrf.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: an outage met outside a view is still a 503 with a way forward."""
    outage = classify(sys.exc_info()[1])
    if outage is not None:
        return outage_response(request, outage)
    # Rendered without the request: the page must not depend on the session or the database.
    return HttpResponseServerError(render_to_string("500.html"))


def alive(request: HttpRequest) -> JsonResponse:
    """For load balancers and uptime checks: the app process answers. Touches no database or cache,
    so it stays up through their outages (which the pages report as 503s themselves)."""
    response = JsonResponse({"ok": True})
    response["Cache-Control"] = "no-store"
    return response


def too_large(request: HttpRequest) -> HttpResponse:
    """nginx's answer when a body passes the site's limit (error_page 413): the app's page for it,
    in the sender's language, naming the limit of the address that was refused."""
    return too_large_response(request, request.GET.get("path", ""))
