"""An outage answers 503 with Retry-After and a way forward, never a 500, and needs no restart.

Real parts only: a redis-server of the test's own that it kills, a small tmpfs that fills up or
is mounted read-only, and (in test_database_outage.py) a real server process whose database goes
away. Nothing here mocks the failure.
"""

import logging
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from kartes.models import ImageAsset

from .factories import image_bytes
from .linking_helpers import link_url
from .redis_process import RedisProcess


@pytest.fixture
def redis_cache(settings):
    server = RedisProcess()
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    yield server
    server.stop()


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_works_while_the_cache_is_down(salon_a, redis_cache, caplog):
    redis_cache.stop()
    client = Client()
    with caplog.at_level(logging.WARNING, logger="karte.outage"):
        response = _login(client, "salon-a-owner", "pw-owner-123")
    assert response.status_code == 302
    assert client.get(reverse("staff:customer_list")).status_code == 200
    assert "rate limits count per process" in caplog.text


def test_the_login_limit_still_holds_while_the_cache_is_down(salon_a, redis_cache):
    redis_cache.stop()
    client = Client()
    statuses = [_login(client, "salon-a-stylist", "wrong").status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    # The right password is held back too: the outage did not lift the limit.
    assert _login(client, "salon-a-stylist", "pw-stylist-123").status_code == 429


def test_linking_answers_while_the_cache_is_down_and_after_it_is_back(salon_a, redis_cache):
    redis_cache.stop()
    phone = Client()
    response = phone.post(link_url(salon_a), {"numeric": "12345678"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert "error" in response.json()
    redis_cache.start()
    response = phone.post(link_url(salon_a), {"numeric": "12345678"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400


def _upload(client, data, *, accept="application/json"):
    return client.post(
        reverse("staff:image_upload"),
        {
            "upload_key": str(uuid.uuid4()),
            "kind": "photo",
            "file": SimpleUploadedFile("p.jpg", data, "image/jpeg"),
        },
        HTTP_ACCEPT=accept,
    )


def _noise_jpeg() -> bytes:
    import io
    import os

    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("RGB", (1400, 1400), os.urandom(1400 * 1400 * 3)).save(out, format="JPEG", quality=95)
    return out.getvalue()


def test_a_full_photo_disk_says_so_and_is_not_retried(salon_a, small_disk):
    client = salon_a.client()
    response = _upload(client, _noise_jpeg())
    assert response.status_code == 503
    body = response.json()
    assert body["reason"] == "storage_full"
    assert body["retryable"] is False
    assert "Retry-After" not in response
    assert "いっぱい" in body["error"]
    with scopes_disabled():
        assert not ImageAsset.objects.exists()
    mount_point, _ = small_disk
    assert [p.name for p in mount_point.rglob("*") if p.is_file()] == []


def test_a_read_only_photo_disk_is_a_503_with_retry_after_and_recovers(salon_a, small_disk):
    _, mount = small_disk
    mount("ro")
    client = salon_a.client()
    response = _upload(client, image_bytes())
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["reason"] == "storage"
    page = _upload(client, image_bytes(), accept="text/html")
    assert page.status_code == 503
    assert "text/html" in page["Content-Type"]
    assert "入力した内容は失われていません" in page.content.decode()
    mount()  # writable again: no restart needed
    assert _upload(client, image_bytes()).status_code == 201


def test_english_staff_get_the_outage_page_in_english(salon_a, small_disk):
    _, mount = small_disk
    mount("ro")
    client = salon_a.client()
    client.cookies["django_language"] = "en"
    page = _upload(client, image_bytes(), accept="text/html")
    assert page.status_code == 503
    assert "Nothing you entered is lost" in page.content.decode()


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        ("/no-such-page/", 404, "このページは存在しません"),
        ("/customers/999999/", 404, "このページは存在しません"),
    ],
)
def test_our_own_error_pages_with_debug_off(salon_a, settings, path, status, text):
    settings.DEBUG = False
    response = salon_a.client().get(path)
    assert response.status_code == status
    assert text in response.content.decode()
    assert 'class="empty-state"' in response.content.decode()


def test_our_own_400_and_500_pages_exist_in_japanese(settings):
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("ja"):
        assert "理解できません" in render_to_string("400.html")
        assert "問題が発生しました" in render_to_string("500.html")


def test_unreachable_object_storage_is_a_503(salon_a, settings):
    """S3 on a port where nothing listens: botocore's own connection error, nothing mocked."""
    from .app_process import free_port

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "karte-photos",
                "endpoint_url": f"http://127.0.0.1:{free_port()}",
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "client_config": __import__("botocore.config").config.Config(
                    connect_timeout=1, retries={"max_attempts": 1}
                ),
            },
        },
    }
    response = _upload(salon_a.client(), image_bytes())
    assert response.status_code == 503
    assert response.json()["reason"] == "storage"
    assert response["Retry-After"] == "30"
    with scopes_disabled():
        assert not ImageAsset.objects.exists()
