"""What phones and strangers may send: every address under /s/ (the customer's app, the counselling
sheet without an account) and the login page has a body limit fitting its form, checked before the
body is read, answered 413 in the sender's language with nothing kept — by the app itself and, in
front of it, by nginx with the site file we ship (a real nginx and a real gunicorn)."""

import shutil

import pytest
import requests
from django.http import HttpResponseForbidden
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_scopes import scope

from common.bodylimit import BodyLimitMiddleware, body_limit
from counselling.models import SheetResponse

from .app_process import AppProcess
from .nginx_process import NginxProcess
from .test_counselling_sheet import _answers, _link, _ready_sheet

MB = 1024 * 1024


def _routes(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def _sample_path(route: str) -> str:
    for converter, sample in (("<slug:slug>", "salon-a"), ("<str:token>", "t" * 27), ("<int:pk>", "1"),
                              ("<uuid:pk>", "8c5e3b1e-2f0a-4b4e-9d7e-0a1b2c3d4e5f"), ("<str:size>", "large"),
                              ("<int:size>", "192")):  # fmt: skip
        route = route.replace(converter, sample)
    return "/" + route


def test_every_phone_and_anonymous_address_has_a_limit():
    phone_routes = [route for route in _routes(get_resolver().url_patterns) if route.startswith("s/")]
    assert len(phone_routes) > 15
    for route in phone_routes:
        limit = body_limit(_sample_path(route))
        assert limit is not None and limit <= MB, route
    assert body_limit("/s/salon-a/sheet/" + "t" * 27 + "/") == 1000 * 1024  # a signature is ≤ 600 kB
    assert body_limit("/s/salon-a/app/link/") == 64 * 1024
    assert body_limit("/login/") == 16 * 1024


class Unread:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_a_large_body_is_refused_before_it_is_read_and_nothing_is_kept(salon_a, own_storage):
    questions = _ready_sheet(salon_a)
    _row, url = _link(salon_a, single_use=False)
    phone = Client()
    response = phone.generic("POST", url, b"", CONTENT_TYPE="multipart/form-data; boundary=x",
                             CONTENT_LENGTH=str(20 * MB), **{"wsgi.input": Unread()})  # type: ignore[arg-type]  # fmt: skip
    assert response.status_code == 413
    page = response.content.decode()
    assert "このページで送れる量（最大 1,000 KB）を超えています。何も保存されていません。" in page
    english = phone.generic("POST", url, b"x" * (2 * MB), HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 413
    assert "larger than this page accepts (1,000 KB at most). Nothing was saved." in english.content.decode()
    # A real sheet with its signature is well inside the limit.
    assert phone.post(url, _answers(questions)).status_code == 302
    with scope(salon=salon_a.salon):
        assert SheetResponse.objects.count() == 1


def test_the_phone_app_and_the_login_take_small_forms_only(salon_a):
    phone = Client()
    for path in ("/s/salon-a/app/link/", "/s/salon-a/app/unlink/", "/login/"):
        response = phone.generic("POST", path, b"numeric=1&" + b"x" * (100 * 1024))
        assert response.status_code == 413, path
    assert phone.post("/s/salon-a/app/link/", {"numeric": "12345678"}).status_code != 413


@pytest.mark.process
@pytest.mark.skipif(
    shutil.which("nginx") is None, reason="needs nginx (scripts/ensure-test-tools installs it)"
)
def test_a_body_answered_without_being_read_is_read_to_the_end_first(rf):
    """A form refused before its body is read (no CSRF cookie) must not leave the body unread: the
    connection would be reset under nginx, which then answers 502 instead of the app's page."""
    request = rf.post("/s/demo/sheet/" + "t" * 27 + "/", data=b"x" * (500 * 1024), content_type="text/plain")
    unread_when_answered = []

    def refuse(request):
        unread_when_answered.append(not request._read_started)
        return HttpResponseForbidden()

    response = BodyLimitMiddleware(refuse)(request)
    assert response.status_code == 403 and unread_when_answered == [True]
    assert request.read(1) == b""  # nothing of the body is left on the connection


def test_nginx_refuses_the_body_with_the_apps_page(tmp_path):
    app = AppProcess(tmp_path / "app", extra_env={"TRUSTED_PROXIES": "127.0.0.1"})
    app.prepare()
    app.start()
    nginx = NginxProcess(tmp_path / "nginx", app_port=app.port, media=app.media)
    nginx.start()
    try:
        sheet = nginx.url("/s/process/sheet/" + "t" * 27 + "/")
        refused = requests.post(sheet, files={"signature": ("s.png", b"x" * (20 * MB))}, timeout=30)
        assert refused.status_code == 413
        assert "何も保存されていません" in refused.text and "最大 1,000 KB" in refused.text
        english = requests.post(sheet, data=b"x" * (2 * MB), headers={"Accept-Language": "en"}, timeout=30)
        assert english.status_code == 413 and "Nothing was saved." in english.text
        phone = requests.post(nginx.url("/s/process/app/link/"), data=b"x" * (100 * 1024), timeout=30)
        assert phone.status_code == 413 and "最大 64 KB" in phone.text
        # Within the limit the body reaches the app, which answers for itself (here: no CSRF token).
        within = requests.post(sheet, data={"name": "x" * (500 * 1024)}, timeout=30)
        assert within.status_code == 403 and "csrf" in within.text.lower()
        # Staff pages keep the site's larger limit for photos.
        staff = requests.post(nginx.url("/"), data=b"x" * (2 * MB), timeout=60)
        assert staff.status_code != 413, staff.text[:500]
        log = (tmp_path / "nginx" / "access.log").read_text()
        assert '"GET /too-large/' not in log  # the refusal page is fetched inside nginx only
    finally:
        nginx.stop()
        app.stop()
