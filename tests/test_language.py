"""Japanese first, English second, and no user-facing string left untranslated."""

from pathlib import Path

import polib
from django.urls import reverse

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "ja" / "LC_MESSAGES" / "django.po"


def test_every_message_has_a_japanese_translation():
    catalogue = polib.pofile(str(CATALOGUE))
    untranslated = [e.msgid for e in catalogue if not (e.msgstr or any(e.msgstr_plural.values()))]
    assert untranslated == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []


def test_pages_are_japanese_by_default(salon_a):
    body = salon_a.client().get(reverse("staff:customer_list")).content.decode()
    assert '<html lang="ja">' in body
    assert "新規顧客" in body and "あいうえお順" in body


def test_staff_can_switch_to_english(salon_a):
    client = salon_a.client()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("staff:customer_list")).content.decode()
    assert '<html lang="en">' in body
    assert "New customer" in body


def test_dates_are_written_the_japanese_way(salon_a):
    import datetime

    from .factories import make_karte

    make_karte(salon_a, date=datetime.date(2026, 3, 9))
    body = (
        salon_a.client()
        .get(reverse("staff:customer_detail", kwargs={"pk": salon_a.customer.pk}))
        .content.decode()
    )
    assert "2026年3月9日" in body


def test_the_login_page_is_in_japanese(client):
    body = client.get(reverse("login")).content.decode()
    assert "ログイン" in body


def test_a_stale_form_gets_a_plain_japanese_explanation(salon_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(salon_a.owner.user)
    response = client.post(reverse("staff:customer_create"), {"name": "x"})
    assert response.status_code == 403
    assert "ページを開いてから時間が経ちすぎました" in response.content.decode()
