from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

from .bodylimit import GetResponse

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",  # the QR decoder is WebAssembly, served from here
        "style-src 'self' 'unsafe-inline'",  # the salon's colour is set inline
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """A strict Content Security Policy: everything, scripts included, comes from our own origin."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
        return response


COMPRESSIBLE = ("text/html", "application/json", "text/javascript", "application/manifest+json", "text/plain")


class TextGZipMiddleware(GZipMiddleware):
    """gzip for pages and JSON only: photos are compressed already and stream from storage.

    Django's GZipMiddleware pads each response with random bytes, which keeps the compressed
    length from revealing the CSRF token (BREACH); the token is also masked anew per response.
    """

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        content_type = response.get("Content-Type", "").split(";")[0].strip()
        if content_type not in COMPRESSIBLE:
            return response
        return super().process_response(request, response)
