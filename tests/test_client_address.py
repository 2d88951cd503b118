"""Per-client limits behind a reverse proxy: X-Forwarded-For is believed only from TRUSTED_PROXIES."""

from django.test import RequestFactory

from common.client_address import client_address


def _request(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(_request("127.0.0.1", "203.0.113.5")) == "127.0.0.1"


def test_behind_a_trusted_proxy_the_client_is_the_address_it_saw(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    assert client_address(_request("127.0.0.1", "203.0.113.5")) == "203.0.113.5"
    # Two proxies (a load balancer in 10/8, then nginx on this host).
    assert client_address(_request("127.0.0.1", "203.0.113.5, 10.1.2.3")) == "203.0.113.5"


def test_what_a_client_writes_into_the_header_itself_is_never_believed(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_address(_request("127.0.0.1", "198.51.100.99, 203.0.113.5")) == "203.0.113.5"
    assert client_address(_request("127.0.0.1", "garbage")) == "127.0.0.1"
    # Not from a trusted proxy: the header is the client's own invention.
    assert client_address(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_login_attempts_behind_nginx_are_counted_per_real_client(salon_a, settings):
    from django.test import Client
    from django.urls import reverse

    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for n in range(40):  # 40 wrong passwords for 40 logins from 40 clients, all through one proxy
        response = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").post(
            reverse("login"), {"username": f"nobody{n}", "password": "x"}
        )
        assert response.status_code == 200
