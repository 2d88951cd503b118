"""Sending a stored file after the view has checked who may see it.

Behind nginx (KARTE_ACCEL_REDIRECT=1) the app answers with an X-Accel-Redirect header only, and
nginx sends the bytes from an internal location — local files from the media folder, S3 objects
through a short-lived signed URL — so no app worker is held while a photo goes out. The check
stays here, on every request, so unpublishing takes effect at once. Without a front server the
file is streamed by Django.
"""

import datetime
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.utils.http import http_date

INTERNAL_MEDIA = "/internal/media/"
INTERNAL_S3 = "/internal/s3/"
SIGNED_URL_SECONDS = 60


def _internal_path(file: FieldFile) -> str:
    if isinstance(file.storage, FileSystemStorage):
        return INTERNAL_MEDIA + quote(file.name or "")
    # S3: nginx fetches the object with a signed URL that only it sees (/internal/s3/<scheme>/<host>/…).
    url = urlsplit(file.storage.url(file.name, expire=SIGNED_URL_SECONDS))  # type: ignore[call-arg]
    return f"{INTERNAL_S3}{url.scheme}/{url.netloc}{url.path}?{url.query}"


def stored_file_response(
    file: FieldFile,
    *,
    content_type: str,
    request: HttpRequest | None = None,
    sha256: str = "",
    modified: datetime.datetime | None = None,
) -> HttpResponseBase:
    """The file, or 304 Not Modified when the client already holds this very content.

    The ETag is the content's SHA-256 kept on its row, so it is the same from every app server
    and for S3 and local storage alike.
    """
    etag = f'"{sha256[:32]}"' if sha256 else ""
    if request is not None and etag and etag in request.headers.get("If-None-Match", ""):
        response: HttpResponseBase = HttpResponseNotModified()
    elif settings.KARTE_ACCEL_REDIRECT:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = _internal_path(file)
    else:
        response = FileResponse(file.open("rb"), content_type=content_type)
    if etag:
        response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified.timestamp())
    return response
