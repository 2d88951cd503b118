"""「サロンの作品として掲載可」 per photo, apart from 公開: asked in the app (許可 / 許可しない, withdrawn
at any time) or recorded by staff with who and when; 「作品用に保存」 gives a copy without metadata
under a neutral name, and never for a photo without consent."""

import re

import pytest
import pyvips
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from audit.models import AuditEntry
from kartes.models import KarteItem

from .factories import make_karte
from .linking_helpers import app_url, linked_phone


@pytest.fixture
def photo(salon_a):
    karte = make_karte(salon_a, public_photo=True)
    with scope(salon=salon_a.salon):
        return karte.items.get(kind="photo")


def _portfolio(world, item, action, who=None):
    client = world.client(who or world.stylist)
    return client.post(reverse("staff:item_portfolio", kwargs={"pk": item.pk}), {"action": action})


def _save(world, item):
    return world.client(world.stylist).get(reverse("staff:item_portfolio_save", kwargs={"pk": item.pk}))


def test_asked_in_the_app_allowed_saved_without_metadata_then_withdrawn(salon_a, photo):
    phone = linked_phone(salon_a)
    karte_page = app_url(salon_a, "karte", pk=photo.karte_id)
    assert "作品としての掲載" not in phone.get(karte_page).content.decode()  # not asked: nothing to answer
    assert _save(salon_a, photo).status_code == 403

    _portfolio(salon_a, photo, "ask")
    page = phone.get(karte_page).content.decode()
    assert "作品としての掲載" in page and "許可しない" in page
    answer = app_url(salon_a, "photo_portfolio", pk=photo.pk)
    assert phone.post(answer, {"answer": "yes"}).status_code == 302

    customer_page = salon_a.client(salon_a.stylist).get(
        reverse("staff:customer_detail", kwargs={"pk": salon_a.customer.pk})
    )
    assert "作品として掲載可" in customer_page.content.decode()
    assert "お客様（アプリ）" in customer_page.content.decode()
    saved = _save(salon_a, photo)
    assert saved.status_code == 200 and saved["Content-Type"] == "image/jpeg"
    name = saved["Content-Disposition"]
    assert name.startswith('attachment; filename="work-') and name.endswith('.jpg"')
    assert re.fullmatch(r'attachment; filename="work-[0-9a-f]{12}\.jpg"', name)  # nothing of who or when
    image = pyvips.Image.new_from_buffer(saved.content, "")
    present = set(image.get_fields())
    assert not {"exif-data", "xmp-data", "iptc-data", "icc-profile-data"} & present, present
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="item.portfolio_save").count() == 1

    assert "許可を取り消す" in phone.get(karte_page).content.decode()
    phone.post(answer, {"answer": "no"})  # withdrawn from the app
    assert _save(salon_a, photo).status_code == 403
    with scopes_disabled():
        item = KarteItem.objects.get(pk=photo.pk)
        assert (item.portfolio, item.portfolio_by) == ("no", None)


def test_a_private_photo_is_recorded_by_staff_never_asked_in_the_app(salon_a):
    karte = make_karte(salon_a)  # the photo is private
    with scope(salon=salon_a.salon):
        photo = karte.items.get(kind="photo")
    assert _portfolio(salon_a, photo, "ask").status_code == 400
    phone = linked_phone(salon_a)
    assert phone.post(app_url(salon_a, "photo_portfolio", pk=photo.pk), {"answer": "yes"}).status_code == 404
    _portfolio(salon_a, photo, "yes")
    with scopes_disabled():
        item = KarteItem.objects.get(pk=photo.pk)
    assert (item.portfolio, item.portfolio_by) == ("yes", salon_a.stylist.user) and item.portfolio_at
    assert _save(salon_a, photo).status_code == 200
    assert "作品としての掲載" not in phone.get(app_url(salon_a, "karte", pk=karte.pk)).content.decode()


def test_another_phone_cannot_answer_for_the_customer(salon_a, salon_b, photo):
    _portfolio(salon_a, photo, "ask")
    for phone in (linked_phone(salon_a, salon_a.other_customer), linked_phone(salon_b)):
        phone.post(app_url(salon_a, "photo_portfolio", pk=photo.pk), {"answer": "yes"})
    with scopes_disabled():
        assert KarteItem.objects.get(pk=photo.pk).portfolio == "asked"
    elsewhere = salon_b.client().get(reverse("staff:item_portfolio_save", kwargs={"pk": photo.pk}))
    assert elsewhere.status_code == 404
