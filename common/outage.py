"""An outage of the database, the cache or the photo storage answers 503, never 500.

The request that hit the outage gets a page in the product's own look (or JSON for the
upload queue, the link screen and other background requests) that says nothing was lost and
when to try again. Nothing here keeps state: the next request after recovery simply works.
"""

import errno
import logging
import re
import sys
from dataclasses import dataclass

from django import db
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .bodylimit import GetResponse

logger = logging.getLogger("karte.outage")

_APP_PATH = re.compile(r"^/s/(?P<slug>[-a-zA-Z0-9_]+)/app/")
_READ_ONLY_SQLSTATE = "25006"
_STORAGE_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_STORAGE_DOWN = {errno.EROFS, errno.EIO, errno.EACCES, errno.EPERM, errno.ENOTCONN, errno.ESTALE}


@dataclass(frozen=True)
class Outage:
    part: str  # "database", "cache", "storage" or "storage_full"
    retry_after: int
    cause: BaseException

    @property
    def retryable(self) -> bool:
        # A full disk does not empty itself in a few seconds: clients must not keep resending.
        return self.part != "storage_full"


RETRY_AFTER = {"database": 15, "cache": 10, "storage": 30, "storage_full": 600}


def _redis_errors() -> tuple[type[BaseException], ...]:
    try:
        from redis import exceptions
    except ImportError:  # pragma: no cover - redis is a dependency
        return ()
    return (exceptions.ConnectionError, exceptions.TimeoutError, exceptions.BusyLoadingError)


def _s3_part(exc: BaseException) -> str | None:
    try:
        from botocore import exceptions
    except ImportError:  # pragma: no cover - only with S3 storage
        return None
    if isinstance(exc, exceptions.ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        if code in {"QuotaExceeded", "EntityTooLarge", "InsufficientCapacity"}:
            return "storage_full"
        if status >= 500 or code in {"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout"}:
            return "storage"
        return None
    if isinstance(exc, exceptions.BotoCoreError):  # connection refused, timeouts, DNS, TLS
        return "storage"
    return None


def _part_of(exc: BaseException) -> str | None:
    if isinstance(exc, db.OperationalError | db.InterfaceError):
        return "database"
    if isinstance(exc, db.DatabaseError):
        cause = exc.__cause__
        if getattr(cause, "sqlstate", None) == _READ_ONLY_SQLSTATE or "readonly database" in str(exc):
            return "database"
        return None
    if isinstance(exc, _redis_errors()):
        return "cache"
    if isinstance(exc, OSError) and exc.errno in _STORAGE_FULL:
        return "storage_full"
    if isinstance(exc, OSError) and exc.errno in _STORAGE_DOWN:
        return "storage"
    return _s3_part(exc)


def classify(exc: BaseException | None) -> Outage | None:
    """The outage behind an exception (following its causes), or None for an ordinary bug."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        part = _part_of(exc)
        if part is not None:
            retry_after = settings.KARTE_RETRY_AFTER_SECONDS or RETRY_AFTER[part]
            return Outage(part=part, retry_after=retry_after, cause=exc)
        exc = exc.__cause__ or exc.__context__
    return None


def wants_json(request: HttpRequest) -> bool:
    """Our background requests (uploads, link, reads, the editor's save) ask for JSON; pages get HTML.

    Sec-Fetch-Dest cannot tell them apart: a page the service worker fetches is "empty" too.
    """
    accept = request.headers.get("Accept", "")
    if "application/json" in accept and "text/html" not in accept:
        return True
    return bool(request.headers.get("X-Karte-Save") or request.headers.get("X-Requested-With"))


def _message(outage: Outage) -> str:
    if outage.part == "storage_full":
        return _(
            "The photo storage is full, so nothing new can be saved for now. Nothing you entered is "
            "lost. Tell the person who runs Karte for your salon; sending again will not help until "
            "they have made room."
        )
    return _(
        "Only the server is busy for a moment. Nothing you entered is lost. Please try again in "
        "%(seconds)d seconds."
    ) % {"seconds": outage.retry_after}


def outage_response(request: HttpRequest, outage: Outage) -> HttpResponse:
    """The 503 for one request; renders without touching the database, the session or the cache."""
    logger.warning(
        "%s unavailable during %s %s: %s: %s",
        outage.part,
        request.method,
        request.path,
        type(outage.cause).__name__,
        outage.cause,
    )
    message = _message(outage)
    response: HttpResponse
    if wants_json(request):
        response = JsonResponse(
            {
                "error": message,
                "retry_after": outage.retry_after,
                "reason": outage.part,
                "retryable": outage.retryable,
            },
            status=503,
        )
    else:
        app = _APP_PATH.match(request.path)
        context = {
            "message": message,
            "outage": outage,
            "retry_url": request.get_full_path() if request.method == "GET" else "",
            "app_home": app.group(0) if app else "",
        }
        template = "customer_app/outage.html" if app else "503.html"
        response = HttpResponse(render_to_string(template, context), status=503)
    if outage.retryable:
        response["Retry-After"] = str(outage.retry_after)
    response["Cache-Control"] = "no-store"
    # Logged above with its cause; Django's request log would add a second line without it.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class OutageMiddleware:
    """Turns an outage into a 503, wherever in the request it was met (also with DEBUG on).

    A view's outage is caught by process_exception. One met in other middleware (loading the
    session, the salon scope) is turned into a response by Django before it gets here; the
    got_request_exception receiver below marks the request, and the 500 is replaced on the way out.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        outage = getattr(request, "_karte_outage", None)
        if outage is not None and response.status_code == 500:
            return outage_response(request, outage)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        outage = classify(exception)
        if outage is None:
            return None
        # A broken database connection is closed when the request finishes (Django's own
        # close_old_connections), so the first request after recovery simply reconnects.
        return outage_response(request, outage)


def mark_outage(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    """got_request_exception receiver: remember the outage behind an exception being handled."""
    outage = classify(sys.exc_info()[1])
    if request is not None and outage is not None:
        request._karte_outage = outage  # type: ignore[attr-defined]
