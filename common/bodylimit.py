"""How much a request may send, by address, refused before a byte of the body is read."""

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

GetResponse = Callable[[HttpRequest], HttpResponseBase]


def body_limit(path: str) -> int | None:
    """The most `path` accepts (settings.REQUEST_BODY_LIMITS, first match), or None for no limit of ours."""
    for pattern, limit in settings.REQUEST_BODY_LIMITS:
        if re.match(pattern, path):
            return limit
    return None


def too_large_response(request: HttpRequest, path: str) -> HttpResponse:
    """413 in the language of the page that sent it; renders without the database or the session."""
    limit = body_limit(path)
    with translation.override(translation.get_language_from_request(request)):
        size = f"{limit // 1024:,} KB" if limit else ""
        message = (
            _("What was sent is larger than this page accepts (%(size)s at most). Nothing was saved.")
            % {"size": size}
            if size
            else _("What was sent is larger than this page accepts. Nothing was saved.")
        )
        body = render_to_string("413.html", {"message": message, "app": path.startswith("/s/")})
    response = HttpResponse(body, status=413)
    response["Cache-Control"] = "no-store"
    return response


class BodyLimitMiddleware:
    """A phone or a stranger's browser cannot make the app read and spool a body of any size: an
    anonymous page takes what its form holds and is answered 413 past that (nginx's site file
    sets the same limits, so the body does not even reach the app there)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        limit = body_limit(request.path)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            return too_large_response(request, request.path)
        response = self.get_response(request)
        if length:
            drain_unread_body(request)
        return response


DRAIN_CHUNK = 64 * 1024


def drain_unread_body(request: HttpRequest) -> None:
    """Read the rest of a body the app answered without reading (a form refused for its missing
    CSRF cookie, say). Closing the connection with the body unread resets it under nginx, which
    may then lose the app's answer and send the phone a 502 instead of the page that says why."""
    if getattr(request, "_read_started", True):
        return
    try:
        while request.read(DRAIN_CHUNK):
            pass
    except OSError:
        pass  # the sender has gone: nothing to answer
