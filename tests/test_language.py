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


def test_english_pages_carry_no_japanese_of_the_interface(salon_a):
    """What staff read in English is English: the follow-up settings' help, the salon card's help,
    the editor's next-visit choices (labels made when the module loads, translated when shown)."""
    import re

    from .factories import make_karte

    karte = make_karte(salon_a)
    client = salon_a.client()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    pages = {
        "follow-ups": reverse("staff:followup_settings"),
        "settings": reverse("staff:salon_settings"),
        "editor": reverse("staff:karte_edit", kwargs={"pk": karte.pk}),
    }
    for name, url in pages.items():
        body = client.get(url).content.decode()
        # The words of the interface, not the salon's own data (names, menus) or example values.
        text = re.sub(r"<[^>]+>", " ", body)
        for word in ("閲覧数", "次回来店の目安", "お店", "週間", "ヶ月", "様 "):
            assert word not in text, (name, word)
    editor = client.get(pages["editor"]).content.decode()
    assert ">2 weeks<" in editor and ">12 weeks<" in editor


def test_the_notice_to_everyone_is_called_by_the_guides_word(salon_a):
    from .factories import make_notice

    make_notice(salon_a)
    page = salon_a.client().get(reverse("staff:notice_list")).content.decode()
    assert "全体告知を作成" in page and '<span class="badge badge--brand">全体告知</span>' in page
