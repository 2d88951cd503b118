"""Nonsense sent to any page gets an answer, never a server error."""

import pytest
from django.test import Client
from django.urls import reverse

from .linking_helpers import linked_phone
from .test_customer_app_isolation import APP_URLS
from .test_staff_url_isolation import OBJECT_URLS, SALON_URLS

GARBAGE = [
    {},
    {"public": "maybe", "q": "%%%'\"<script>", "page": "-1", "sort": "nope", "archived": "x"},
    {
        "treatment_date": "2026-13-45",
        "staff": "999999",
        "version": "abc",
        "client_key": "not-a-uuid",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-0-kind": "photo",
        "items-0-image": "00000000-0000-0000-0000-000000000000",
        "items-0-drawing": "{not json",
        "items-1-kind": "video",
        "upload_key": "x",
        "code": "\x00" * 10,
        "numeric": "１２３４５６７８９０１２",
        "starts_at": "yesterday",
        "ends_at": "",
        "role": "emperor",
        "theme_color": "red",
        "max_devices_per_customer": "-3",
    },
]


@pytest.mark.parametrize("payload", range(len(GARBAGE)))
def test_staff_pages_answer_nonsense_without_a_server_error(salon_a, salon_a_objects, payload):
    client = salon_a.client()
    for name in sorted(set(OBJECT_URLS) | SALON_URLS):
        builder = OBJECT_URLS.get(name)
        url = reverse(f"staff:{name}", kwargs=builder(salon_a_objects) if builder else None)
        for method in ("get", "post"):
            response = getattr(client, method)(url, GARBAGE[payload])
            assert response.status_code < 500, (name, method, response.status_code)


@pytest.mark.parametrize("payload", range(len(GARBAGE)))
def test_app_pages_answer_nonsense_without_a_server_error(salon_a, salon_a_objects, payload):
    phone = linked_phone(salon_a)
    for who in (phone, Client()):
        for name, (_method, builder) in APP_URLS.items():
            if name == "unlink":
                continue
            kwargs = {"slug": salon_a.salon.slug, **builder(salon_a_objects)}
            url = reverse(f"customer_app:{name}", kwargs=kwargs)
            for method in ("get", "post"):
                response = getattr(who, method)(url, GARBAGE[payload])
                assert response.status_code < 500, (name, method, response.status_code)
