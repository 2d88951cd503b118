"""The customer app on a linked phone: exactly what staff made public, changes that take
effect on the next request, unlinking from either side, and the salon-branded shell."""

import datetime
import json

import pytest
from django.urls import reverse
from django_scopes import scope

from audit.models import AuditEntry
from kartes.services import item_set_public
from linking import actions as linking_actions
from linking.models import Device

from .factories import make_karte
from .linking_helpers import app_url, linked_phone


def test_the_phone_sees_dates_staff_and_public_items_only(salon_a):
    make_karte(salon_a, public_text=True, text="公開メモ")
    private = make_karte(salon_a, text="非公開メモ")
    salon_a.customer.memo = "スタッフの内部メモ"
    salon_a.customer.save()
    phone = linked_phone(salon_a)
    home = phone.get(app_url(salon_a)).content.decode()
    assert "森川 紗季" in home and "2026年11月1日" in home
    page = phone.get(app_url(salon_a, "karte", pk=private.pk)).content.decode()
    assert "非公開メモ" not in page
    assert salon_a.stylist.display_name in page
    assert "スタッフの内部メモ" not in home + page


def test_unpublishing_hides_a_photo_at_its_remembered_url_at_once(salon_a):
    karte = make_karte(salon_a, public_photo=True)
    with scope(salon=salon_a.salon):
        photo = karte.items.get(kind="photo")
    phone = linked_phone(salon_a)
    url = app_url(salon_a, "image", pk=photo.image_id, size="large")
    first = phone.get(url)
    assert first.status_code == 200
    assert first["Cache-Control"] == "private, no-store"
    with scope(salon=salon_a.salon):
        item_set_public(item=photo, actor=salon_a.owner.user, public=False)
    assert phone.get(url).status_code == 404
    assert str(photo.image_id) not in phone.get(app_url(salon_a, "karte", pk=karte.pk)).content.decode()


def test_the_original_photo_is_never_served_to_a_phone(salon_a):
    karte = make_karte(salon_a, public_photo=True)
    with scope(salon=salon_a.salon):
        photo = karte.items.get(kind="photo")
    phone = linked_phone(salon_a)
    assert phone.get(app_url(salon_a, "image", pk=photo.image_id, size="original")).status_code == 404


def test_staff_unlinking_a_phone_sends_it_back_to_the_link_screen(salon_a):
    phone = linked_phone(salon_a)
    with scope(salon=salon_a.salon):
        device = Device.objects.get()
    salon_a.client().post(reverse("staff:device_revoke", kwargs={"pk": device.pk}))
    response = phone.get(app_url(salon_a))
    body = response.content.decode()
    assert "この端末の連携は解除されました。" in body
    assert 'data-clear-personal="true"' in body
    assert response.cookies["karte_device"].value == ""
    with scope(salon=salon_a.salon):
        assert AuditEntry.objects.filter(action=linking_actions.DEVICE_REVOKE).exists()


def test_the_customer_can_unlink_their_own_phone(salon_a):
    phone = linked_phone(salon_a)
    assert "この端末の連携を解除" in phone.get(app_url(salon_a, "settings")).content.decode()
    response = phone.post(app_url(salon_a, "unlink"))
    assert response.status_code == 302
    body = phone.get(response["Location"]).content.decode()
    assert 'data-clear-personal="true"' in body
    with scope(salon=salon_a.salon):
        assert Device.objects.get().revoked_at is not None
        assert AuditEntry.objects.filter(action=linking_actions.DEVICE_UNLINK).exists()


def test_an_archived_customers_phone_sees_nothing(salon_a):
    phone = linked_phone(salon_a)
    salon_a.client().post(reverse("staff:customer_archive", kwargs={"pk": salon_a.customer.pk}))
    assert "森川 紗季" not in phone.get(app_url(salon_a)).content.decode()


def test_the_credential_is_renewed_on_use(salon_a):
    phone = linked_phone(salon_a)
    response = phone.get(app_url(salon_a))
    cookie = response.cookies["karte_device"]
    assert int(cookie["max-age"]) >= 399 * 24 * 3600
    assert cookie["path"] == "/s/salon-a/app/"


def test_a_phone_can_link_again_and_a_new_phone_can_be_added(salon_a):
    first = linked_phone(salon_a)
    second = linked_phone(salon_a)
    assert "森川 紗季" in first.get(app_url(salon_a)).content.decode()
    assert "森川 紗季" in second.get(app_url(salon_a)).content.decode()
    with scope(salon=salon_a.salon):
        assert Device.objects.filter(revoked_at__isnull=True).count() == 2


def test_each_salon_has_its_own_manifest_scope_and_service_worker(salon_a, salon_b):
    manifest = json.loads(salon_a.client().get(app_url(salon_a, "manifest")).content)
    assert manifest["name"] == "サロンA"
    assert manifest["scope"] == manifest["start_url"] == "/s/salon-a/app/"
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    worker = salon_b.client().get(app_url(salon_b, "service_worker"))
    assert worker["Content-Type"].startswith("application/javascript")
    script = worker.content.decode()
    assert '"scope": "/s/salon-b/app/"' in script and '"slug": "salon-b"' in script


def test_the_offline_page_is_kept_with_the_app_and_holds_nothing_of_the_customers(salon_a, salon_b):
    worker = json.loads(
        salon_a.client()
        .get(app_url(salon_a, "service_worker"))
        .content.decode()
        .split("const CONFIG = ")[1]
        .split(";\n")[0]
    )
    assert worker["offline"] == "/s/salon-a/app/offline/" and worker["offline"] in worker["shell"]
    make_karte(salon_a, public_text=True, text="森川様の公開メモ")
    phone = linked_phone(salon_a)
    page = phone.get(app_url(salon_a, "offline"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "このページはまだこの端末に保存されていません" in body and "サロンA" in body
    assert 'href="/s/salon-a/app/"' in body  # the way back to the kept list
    for personal in (salon_a.customer.name, "森川様の公開メモ", "data-unread"):
        assert personal not in body  # the same page for every phone of the salon
    assert "サロンB" in salon_b.client().get(app_url(salon_b, "offline")).content.decode()


def test_icons_are_made_from_the_salon(salon_a):
    import io

    from PIL import Image

    response = salon_a.client().get(app_url(salon_a, "icon", size=512))
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (512, 512)
    # The app bar's colour behind the initial: the theme colour, deepened until white text on it reads.
    from salons.colours import brand_colours

    fill = brand_colours(salon_a.salon.theme_color).fill
    assert image.convert("RGB").getpixel((5, 5)) == tuple(int(fill[i : i + 2], 16) for i in (1, 3, 5))
    assert salon_a.client().get(app_url(salon_a, "icon", size=77)).status_code == 404


def test_before_and_after_photos_get_a_comparison_slider(salon_a):
    import uuid

    from kartes.models import ImageKind, ItemKind, PhotoTag
    from kartes.services import ItemInput, image_asset_create, karte_create

    from .factories import image_bytes

    with scope(salon=salon_a.salon):
        assets = [
            image_asset_create(
                salon=salon_a.salon,
                user=None,
                upload_key=uuid.uuid4(),
                data=image_bytes(),
                kind=ImageKind.PHOTO,
            )[0]
            for _ in range(2)
        ]
        karte = karte_create(
            salon=salon_a.salon,
            actor=salon_a.owner.user,
            customer=salon_a.customer,
            treatment_date=datetime.date(2026, 11, 2),
            staff=salon_a.owner,
            menu="カラー",
            items=[
                ItemInput(kind=ItemKind.PHOTO, image=assets[0], photo_tag=PhotoTag.BEFORE, is_public=True),
                ItemInput(kind=ItemKind.PHOTO, image=assets[1], photo_tag=PhotoTag.AFTER, is_public=True),
            ],
        )
    page = linked_phone(salon_a).get(app_url(salon_a, "karte", pk=karte.pk)).content.decode()
    assert 'class="compare"' in page and "data-compare" in page
    assert "{#" not in page and "{%" not in page  # nothing of the template shows
    # The staff preview shows the same slider, not the photos stacked.
    preview = salon_a.client().get(
        reverse("staff:customer_preview_phone", kwargs={"pk": salon_a.customer.pk})
    )
    assert 'class="compare"' in preview.content.decode() and "js/compare" in preview.content.decode()


def test_app_pages_make_the_same_number_of_queries_whatever_the_data_size(salon_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_karte(salon_a, public_text=True, public_photo=True)
    phone = linked_phone(salon_a)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert phone.get(app_url(salon_a)).status_code == 200
        return len(captured)

    small = count()
    for day in range(2, 9):
        make_karte(salon_a, public_text=True, public_photo=True, date=datetime.date(2026, 10, day))
    assert count() == small


def test_pages_carry_a_strict_content_security_policy(salon_a):
    phone = linked_phone(salon_a)
    for response in (phone.get(app_url(salon_a)), salon_a.client().get(reverse("staff:customer_list"))):
        policy = response["Content-Security-Policy"]
        assert "script-src 'self' 'wasm-unsafe-eval'" in policy
        assert "frame-ancestors 'none'" in policy and "unsafe-eval'" not in policy.replace(
            "wasm-unsafe-eval'", ""
        )


def test_the_staff_preview_and_the_phone_show_the_same_items(salon_a):
    import re

    first = make_karte(
        salon_a, public_text=True, public_photo=True, text="公開A", date=datetime.date(2026, 9, 1)
    )
    second = make_karte(salon_a, public_photo=True, text="非公開B", date=datetime.date(2026, 10, 1))
    phone = linked_phone(salon_a)
    preview = salon_a.client().get(
        reverse("staff:customer_preview_phone", kwargs={"pk": salon_a.customer.pk})
    )
    app_pages = "".join(
        phone.get(app_url(salon_a, "karte", pk=karte.pk)).content.decode() for karte in (first, second)
    )

    def shown(html):
        images = set(re.findall(r"/images/([0-9a-f-]{36})/large/", html))
        texts = {text for text in ("公開A", "非公開B") if text in html}
        return images, texts

    assert shown(preview.content.decode()) == shown(app_pages)
    assert shown(app_pages)[1] == {"公開A"} and len(shown(app_pages)[0]) == 2
    # One template draws a karte for both, so the preview is the phone (the slider included).
    page = phone.get(app_url(salon_a, "karte", pk=first.pk))
    assert "kartes/_visible_karte.html" in {t.name for t in page.templates}
    assert "kartes/_visible_karte.html" in {t.name for t in preview.templates}
    framed = salon_a.client().get(reverse("staff:customer_preview", kwargs={"pk": salon_a.customer.pk}))
    assert (
        reverse("staff:customer_preview_phone", kwargs={"pk": salon_a.customer.pk}) in framed.content.decode()
    )
    assert (
        "frame-ancestors 'self'" in preview["Content-Security-Policy"]
        and preview["X-Frame-Options"] == "SAMEORIGIN"
    )
    assert (
        "frame-ancestors 'none'" in framed["Content-Security-Policy"] and framed["X-Frame-Options"] == "DENY"
    )


def test_the_phone_is_told_exactly_what_it_may_keep(salon_a):
    from django_scopes import scope

    from kartes.services import item_set_public

    from .factories import make_karte
    from .linking_helpers import app_url, linked_phone

    karte = make_karte(salon_a, public_text=True, public_photo=True)
    hidden = make_karte(salon_a, customer=salon_a.other_customer, public_photo=True)
    phone = linked_phone(salon_a)
    with scope(salon=salon_a.salon):
        photo = karte.items.get(kind="photo")
        other_photo = hidden.items.get(kind="photo")
    listed = phone.get(app_url(salon_a, "visible")).json()["urls"]
    assert app_url(salon_a, "karte", pk=karte.pk) in listed
    assert app_url(salon_a, "image", pk=photo.image_id, size="large") in listed
    assert str(other_photo.image_id) not in "".join(listed)

    with scope(salon=salon_a.salon):
        item_set_public(item=photo, actor=salon_a.owner.user, public=False)
    listed = phone.get(app_url(salon_a, "visible")).json()["urls"]
    assert app_url(salon_a, "karte", pk=karte.pk) in listed
    assert str(photo.image_id) not in "".join(listed)


def test_no_template_comment_reaches_a_page():
    """Django's {# … #} spans one line only; written over several lines it is printed as text."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    skipped = {".venv", "node_modules", "var", "tools"}
    ours = [path for path in root.rglob("*.html") if not skipped & set(path.parts)]
    assert len(ours) > 20
    broken = [
        f"{path.relative_to(root)}:{number}"
        for path in ours
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "{#" in line and "#}" not in line.split("{#", 1)[1]
    ]
    assert broken == []


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("ja", ["ホーム画面に追加", "追加", "キャンセル", "新しいタブ"]),
        ("en", ["Add to Home Screen", "Add", "Cancel", "New tab"]),
    ],
)
def test_the_install_guide_draws_each_step_in_the_phones_own_words(salon_a, client, language, labels):
    client.cookies["django_language"] = language
    page = client.get(app_url(salon_a)).content.decode()
    pictures = page.count('class="install-picture"')
    assert pictures == 4  # iPhone: share button, 「ホーム画面に追加」, 「追加」; Android: the ⋮ menu
    assert page.count('role="img" aria-label=') >= pictures  # each described for a screen reader
    assert all(f">{label}<" in page for label in labels)
