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


def _karte_form(world, items, **extra):
    data = {
        "treatment_date": "2026-11-20",
        "staff": str(world.stylist.pk),
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": "0",
        **extra,
    }
    for index, item in enumerate(items):
        data.update({f"items-{index}-{key}": value for key, value in item.items()})
        data.setdefault(f"items-{index}-ORDER", str(index + 1))
    return data


def test_a_deeply_nested_drawing_is_refused_with_a_message(salon_a):
    from .test_kartes import upload

    client = salon_a.client()
    image = upload(client, kind="illustration")
    nested = "[" * 100_000 + "]" * 100_000
    form = _karte_form(salon_a, [{"kind": "illustration", "image": image, "drawing": nested}])
    response = client.post(reverse("staff:karte_create", kwargs={"customer_pk": salon_a.customer.pk}), form)
    assert response.status_code == 200
    assert "イラストを読み込めませんでした" in response.content.decode()


def test_a_drawing_of_the_wrong_shape_is_refused(salon_a):
    from .test_kartes import upload

    client = salon_a.client()
    image = upload(client, kind="illustration")
    for drawing in (
        '[{"tool": "pen"}]',
        "[[[1]]]",
        '[{"tool":"pen","color":"red","width":8,"points":[[1,2]]}]',
    ):
        form = _karte_form(salon_a, [{"kind": "illustration", "image": image, "drawing": drawing}])
        url = reverse("staff:karte_create", kwargs={"customer_pk": salon_a.customer.pk})
        assert "イラストを読み込めませんでした" in client.post(url, form).content.decode(), drawing


def test_another_kartes_item_id_with_its_photo_is_refused(salon_a):
    from django_scopes import scope

    from .factories import make_karte

    other = make_karte(salon_a)
    with scope(salon=salon_a.salon):
        photo_item = other.items.get(kind="photo")
    mine = make_karte(salon_a, text="自分のカルテ")
    form = _karte_form(
        salon_a,
        [{"id": str(photo_item.pk), "kind": "photo", "image": str(photo_item.image_id)}],
        version=str(mine.version),
    )
    response = salon_a.client().post(reverse("staff:karte_edit", kwargs={"pk": mine.pk}), form)
    assert response.status_code == 200
    assert "この写真は別の項目で使われています" in response.content.decode()


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "9999-12-31T23:59", "1899-12-31T10:00"])
def test_a_notice_date_outside_1900_to_2100_is_refused(salon_a, when):
    from .test_notices import notice_form

    form = {**notice_form(), "starts_at": when}
    response = salon_a.client().post(reverse("staff:notice_create"), form)
    assert response.status_code == 200
    assert "1900年から2100年までの日付を入力してください" in response.content.decode()


def test_a_treatment_date_and_a_birthday_in_year_one_are_refused(salon_a):
    client = salon_a.client()
    form = _karte_form(salon_a, [{"kind": "text", "text": "x"}], treatment_date="0001-01-01")
    response = client.post(reverse("staff:karte_create", kwargs={"customer_pk": salon_a.customer.pk}), form)
    assert "1900年から2100年までの日付を入力してください" in response.content.decode()
    customer = {"name": "昔 生子", "kana": "むかし いきこ", "birthday": "0001-01-01"}
    response = client.post(reverse("staff:customer_create"), customer)
    assert "1900年から2100年までの日付を入力してください" in response.content.decode()


def test_a_truncated_jpeg_logo_is_refused_with_a_message(salon_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .factories import image_bytes

    broken = image_bytes(size=(800, 800))[:-2000]
    form = {
        "name": "サロンA",
        "theme_color": "#b5838d",
        "timezone": "Asia/Tokyo",
        "max_devices_per_customer": "3",
    }
    response = salon_a.client().post(
        reverse("staff:salon_settings"),
        {**form, "logo_upload": SimpleUploadedFile("logo.jpg", broken, "image/jpeg")},
    )
    assert response.status_code == 200
    assert "この画像を読み込めませんでした" in response.content.decode()


def test_a_huge_memo_or_karte_text_is_refused_with_a_message(salon_a):
    client = salon_a.client()
    response = client.post(
        reverse("staff:customer_create"), {"name": "長文 太郎", "kana": "ちょうぶん", "memo": "あ" * 5000}
    )
    assert response.status_code == 200
    assert "4000" in response.content.decode()
    form = _karte_form(salon_a, [{"kind": "text", "text": "あ" * 10_001}])
    response = client.post(reverse("staff:karte_create", kwargs={"customer_pk": salon_a.customer.pk}), form)
    assert "10000" in response.content.decode()
