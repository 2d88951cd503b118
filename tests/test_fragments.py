"""Kept karte, request and notice cards (common.fragments): drawn once, never shown stale, never
carrying another request's CSRF token. Real templates and views through Django's test client."""

import datetime
import re
import sys

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from common.fragments import STORE, FragmentStore, fingerprint
from common.templatetags.fragments import _TOKEN

from .factories import make_karte
from .linking_helpers import app_url, linked_phone


@pytest.fixture(autouse=True)
def _empty_store():
    STORE.clear()


def _page(client, customer) -> str:
    response = client.get(reverse("staff:customer_detail", kwargs={"pk": customer.pk}))
    assert response.status_code == 200
    return response.content.decode()


def _photo(world, karte):
    with scope(salon=world.salon):
        return karte.items.get(kind="photo")


def test_a_second_visit_reuses_the_cards_and_shows_the_same_page(salon_a):
    make_karte(salon_a)
    client = salon_a.client()
    first = _page(client, salon_a.customer)
    hits = STORE.hits
    second = _page(client, salon_a.customer)
    assert STORE.hits > hits
    strip = re.compile(r'value="[A-Za-z0-9]{64}"|"X-CSRFToken": "[A-Za-z0-9]{64}"')
    assert strip.sub("", first) == strip.sub("", second)


def test_publishing_a_photo_shows_on_the_card_at_once(salon_a):
    karte = make_karte(salon_a)
    client = salon_a.client()
    photo = _photo(salon_a, karte)
    assert 'class="state state--private"' in _page(client, salon_a.customer)
    client.post(reverse("staff:item_publish", kwargs={"pk": photo.pk}), {"public": "1"})
    page = _page(client, salon_a.customer)
    assert 'class="state state--public"' in page
    assert f"{salon_a.owner.display_name} が公開" in page


def test_a_renamed_stylist_shows_on_the_kept_card(salon_a):
    make_karte(salon_a)
    client = salon_a.client()
    assert salon_a.stylist.display_name in _page(client, salon_a.customer)
    salon_a.stylist.display_name = "新しい名前"
    salon_a.stylist.save()
    assert "新しい名前" in _page(client, salon_a.customer)


def test_each_page_carries_its_own_csrf_token_and_its_forms_are_accepted(salon_a):
    karte = make_karte(salon_a)
    photo = _photo(salon_a, karte)
    publish = reverse("staff:item_publish", kwargs={"pk": photo.pk})
    tokens = []
    for member in (salon_a.owner, salon_a.stylist):
        client = Client(enforce_csrf_checks=True)
        client.force_login(member.user)
        page = _page(client, salon_a.customer)
        assert _TOKEN not in page
        form = re.search(
            f'action="{publish}"' + r'.*?name="csrfmiddlewaretoken" value="(\w+)"',
            page,
            re.S,
        )
        assert form is not None
        tokens.append(form.group(1))
        response = client.post(publish, {"public": "1", "csrfmiddlewaretoken": form.group(1)})
        assert response.status_code == 302
    assert tokens[0] != tokens[1]


def test_the_cards_follow_the_language(salon_a):
    make_karte(salon_a)
    client = salon_a.client()
    assert "担当" in _page(client, salon_a.customer)
    client.cookies["django_language"] = "en"
    page = _page(client, salon_a.customer)
    assert "In charge" in page and "担当" not in page


def test_the_phone_loses_an_unpublished_photo_at_once(salon_a):
    karte = make_karte(salon_a, public_photo=True)
    photo = _photo(salon_a, karte)
    phone = linked_phone(salon_a)
    image = reverse(
        "customer_app:image", kwargs={"slug": salon_a.salon.slug, "pk": photo.image_id, "size": "thumb"}
    )
    assert image in phone.get(app_url(salon_a)).content.decode()
    assert image in phone.get(app_url(salon_a)).content.decode()
    salon_a.client().post(reverse("staff:item_publish", kwargs={"pk": photo.pk}), {"public": "0"})
    assert image not in phone.get(app_url(salon_a)).content.decode()


def test_the_phones_karte_list_shows_thumbnails_the_phone_may_load(salon_a):
    make_karte(salon_a, public_photo=True)
    phone = linked_phone(salon_a)
    for _ in range(2):  # drawn, then kept
        page = phone.get(app_url(salon_a)).content.decode()
        sources = re.findall(r'<img src="([^"]+/thumb/)"', page)
        assert len(sources) == 1 and sources[0].startswith(app_url(salon_a))
        response = phone.get(sources[0])
        assert response.status_code == 200 and response["Content-Type"].startswith("image/")


def test_another_customers_phone_never_gets_a_kept_card(salon_a):
    karte = make_karte(salon_a, public_photo=True)
    make_karte(salon_a, customer=salon_a.other_customer, public_photo=True)
    mine, theirs = linked_phone(salon_a), linked_phone(salon_a, salon_a.other_customer)
    assert f"/kartes/{karte.pk}/" in mine.get(app_url(salon_a)).content.decode()
    assert f"/kartes/{karte.pk}/" not in theirs.get(app_url(salon_a)).content.decode()


def test_the_fingerprint_follows_the_records_loaded_with_a_row(salon_a):
    karte = make_karte(salon_a)
    with scope(salon=salon_a.salon):
        from kartes.models import Karte

        loaded = Karte.objects.select_related("staff").prefetch_related("items").get(pk=karte.pk)
        again = Karte.objects.select_related("staff").prefetch_related("items").get(pk=karte.pk)
        assert fingerprint(loaded) == fingerprint(again)
        again.items.all()[0].caption = "changed"
        assert fingerprint(loaded) != fingerprint(again)
        again = Karte.objects.select_related("staff").prefetch_related("items").get(pk=karte.pk)
        again.staff.display_name = "changed"
        assert fingerprint(loaded) != fingerprint(again)


def test_the_store_keeps_a_bounded_number_of_bytes_and_forgets_old_entries():
    now = [0.0]
    card = "x" * 100
    store = FragmentStore(most_bytes=10 * sys.getsizeof(card), keep_seconds=60, clock=lambda: now[0])
    for number in range(20):
        store.put(f"k{number}", card)
    assert [store.get(f"k{number}") is not None for number in range(20)] == [False] * 10 + [True] * 10
    now[0] = 61
    assert store.get("k19") is None
    store.put("big", "x" * 200)  # more than an eighth of the store: not kept
    assert store.get("big") is None


def test_the_store_counts_what_japanese_takes_in_memory():
    store = FragmentStore(most_bytes=8 * 1024)
    store.put("latin", "a" * 400)
    store.put("japanese", "あ" * 400)  # two bytes a letter in memory
    assert store.get("latin") is not None and store.get("japanese") is not None
    assert store._bytes == sys.getsizeof("a" * 400) + sys.getsizeof("あ" * 400) > 1200


def test_the_kept_ledger_follows_a_move_and_a_changed_opening_time(salon_a):
    from .test_appointments import TEN, _book

    booked = _book(salon_a)
    client = salon_a.client()
    ledger = reverse("staff:ledger") + "?date=2026-12-10"

    def placed() -> str:
        page = client.get(ledger).content.decode()
        found = re.search(f'data-move-url="[^"]*/{booked.pk}/' + r'[^"]*".*?style="([^"]+)"', page, re.S)
        assert found is not None
        return found.group(1)

    before = placed()
    assert placed() == before
    client.post(
        reverse("staff:appointment_move", kwargs={"pk": booked.pk}),
        {"date": "2026-12-10", "time": "13:00", "staff": salon_a.stylist.pk, "minutes": "60"},
        HTTP_X_KARTE_MOVE="drag",
    )
    after = placed()
    assert after != before
    slots = client.get(ledger).content.decode().count('class="ledger__slot"')
    salon_a.salon.opens_at = (TEN - datetime.timedelta(hours=2)).time()
    salon_a.salon.save()
    assert client.get(ledger).content.decode().count('class="ledger__slot"') > slots


def test_the_kept_top_bar_marks_the_page_shown_and_returns_to_it(salon_a):
    client = salon_a.client()
    for name in ("staff:customer_list", "staff:notice_list", "staff:customer_list"):
        url = reverse(name)
        page = client.get(url).content.decode()
        current = re.findall(r'<a href="([^"]+)" aria-current="page"', page)
        assert current == [url]
        assert f'name="next" type="hidden" value="{url}"' in page
    salon_a.owner.display_name = "店長"
    salon_a.owner.save()
    page = client.get(reverse("staff:customer_list")).content.decode()
    assert re.search(r'class="topbar__name"[^>]*>店長</a>', page)


def test_the_phones_kept_lists_set_no_csrf_cookie(salon_a):
    make_karte(salon_a, public_photo=True)
    phone = linked_phone(salon_a)
    for name in ("home", "notices", "home", "notices"):
        response = phone.get(app_url(salon_a, name))
        assert response.status_code == 200
        assert "csrftoken" not in response.cookies and _TOKEN not in response.content.decode()


def test_a_store_of_no_bytes_keeps_nothing():
    store = FragmentStore(most_bytes=0)
    store.put("k", "<p>a card</p>")
    assert store.get("k") is None


def test_the_editor_shows_an_items_new_text_and_keeps_nothing_of_a_sent_form(salon_a):
    karte = make_karte(salon_a, text="最初のメモ")
    client = salon_a.client()
    editor = reverse("staff:karte_edit", kwargs={"pk": karte.pk})
    assert "最初のメモ" in client.get(editor).content.decode()
    with scope(salon=salon_a.salon):
        karte.items.filter(kind="text").update(text="書き直したメモ")
    page = client.get(editor).content.decode()
    assert "書き直したメモ" in page and "最初のメモ" not in page
    assert page.count('id="item-template"') == 1 and "items-__prefix__-text" in page


def test_a_lazy_translation_is_keyed_by_its_words():
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    label = gettext_lazy("Customers")
    with translation.override("ja"):
        japanese = fingerprint([label])
        assert fingerprint([gettext_lazy("Customers")]) == japanese
    with translation.override("en"):
        assert fingerprint([label]) != japanese


def test_a_kept_request_card_lists_the_staff_as_they_are_now(salon_a):
    from .conftest import _booking_request

    _booking_request(salon_a)
    client = salon_a.client()
    url = reverse("staff:request_list")

    def options() -> list[str]:
        page = client.get(url).content.decode()
        select = re.search(r'<select id="request-staff-\d+" name="staff">(.*?)</select>', page, re.S)
        assert select is not None
        return re.findall(r"<option[^>]*>([^<]+)</option>", select.group(1))

    before = options()
    assert salon_a.stylist.display_name in before and options() == before
    salon_a.stylist.display_name = "改名したスタイリスト"
    salon_a.stylist.save()
    assert "改名したスタイリスト" in options()
