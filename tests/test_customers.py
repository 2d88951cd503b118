"""Customers: validation in Japanese, nothing lost on error, search that ignores width and kana,
あいうえお order, archiving, and list pages whose query count does not grow with the data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from audit.models import AuditEntry
from customers import actions as customers_actions
from customers.models import Customer

from .factories import make_karte

LIST = reverse("staff:customer_list")


def add_customers(world, rows):
    with scope(salon=world.salon):
        for name, kana, phone in rows:
            customer = Customer(salon=world.salon, name=name, kana=kana, phone=phone)
            customer.refresh_search_fields()
            customer.save()


def names_in(response):
    return [c.name for c in response.context["page"].object_list]


def test_creating_a_customer_is_audited(salon_a):
    response = salon_a.client().post(
        reverse("staff:customer_create"),
        {
            "name": "中村 彩",
            "kana": "ナカムラ アヤ",
            "phone": "０９０－１２３４－５６７８",
            "email": "aya@example.jp",
        },
    )
    assert response.status_code == 302
    with scope(salon=salon_a.salon):
        customer = Customer.objects.get(name="中村 彩")
        assert customer.kana == "ナカムラ アヤ"  # as typed; sorted and searched as hiragana
        assert customer.kana_sort == "なかむらあや"
        assert customer.phone_digits == "09012345678"
        assert AuditEntry.objects.filter(
            action=customers_actions.CUSTOMER_CREATE, target_id=str(customer.pk)
        ).exists()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("090ー1234ー5678", "090-1234-5678"),  # the IME's long-vowel mark as the dash
        ("０９０－１２３４－５６７８", "090-1234-5678"),
        ("０９０ｰ１２３４ｰ５６７８", "090-1234-5678"),
        ("090 1234 5678", "090-1234-5678"),
        ("090\u30001234\u30005678", "090-1234-5678"),  # full-width spaces
        ("09012345678", "090-1234-5678"),
        ("(03)1234-5678", "03-1234-5678"),
        ("０３（１２３４）５６７８", "03-1234-5678"),
        ("+81 90-1234-5678", "090-1234-5678"),
        ("0166-12-3456", "0166-12-3456"),  # the grouping typed is kept where digits alone cannot tell
        ("0120123456", "0120-123-456"),
    ],
)
def test_phone_numbers_typed_any_common_way_are_stored_in_one_form(salon_a, typed, stored):
    data = {"name": "中村 彩", "kana": "なかむら あや", "phone": typed}
    assert salon_a.client().post(reverse("staff:customer_create"), data).status_code == 302
    with scope(salon=salon_a.salon):
        customer = Customer.objects.get(name="中村 彩")
    assert customer.phone == stored
    assert customer.phone_digits == stored.replace("-", "")
    # And found again by what staff type, in any of those forms.
    found = salon_a.client().get(LIST, {"q": typed})
    assert "中村 彩" in names_in(found)


def test_phone_numbers_already_stored_are_brought_to_the_same_form(salon_a):
    """Migration customers 0006, run on rows written as the form used to keep them."""
    import importlib

    from django.apps import apps
    from django_scopes import scopes_disabled

    migration = importlib.import_module("customers.migrations.0006_one_form_of_phone_number")
    with scope(salon=salon_a.salon):
        Customer.objects.filter(pk=salon_a.customer.pk).update(
            phone="090 1111 2222", phone_digits="09011112222"
        )
        Customer.objects.filter(pk=salon_a.other_customer.pk).update(phone="内線12", phone_digits="12")
    with scopes_disabled():
        migration.normalise(apps, None)
        salon_a.customer.refresh_from_db()
        salon_a.other_customer.refresh_from_db()
    assert salon_a.customer.phone == "090-1111-2222"
    assert salon_a.other_customer.phone == "内線12"  # not a number it can read: kept as typed


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kana", "Nakamura", "ふりがなはひらがなかカタカナで入力してください。"),
        ("kana", "中村", "ふりがなはひらがなかカタカナで入力してください。"),
        ("phone", "12-34", "電話番号は 090-1234-5678 のように 10〜11 桁で入力してください。"),
        ("email", "aya@", "hanako@example.jp のような形式でメールアドレスを入力してください。"),
        ("birthday", "2999-01-01", "誕生日に未来の日付は入力できません。"),
        ("name", "", "お名前を入力してください。"),
    ],
)
def test_bad_input_gets_a_clear_japanese_message_and_keeps_the_rest(salon_a, field, value, message):
    data = {"name": "中村 彩", "kana": "なかむら あや", "phone": "090-1234-5678", "email": "aya@example.jp"}
    data["memo"] = "カラーでしみやすい"
    data[field] = value
    response = salon_a.client().post(reverse("staff:customer_create"), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert "カラーでしみやすい" in body
    with scope(salon=salon_a.salon):
        assert not Customer.objects.filter(memo="カラーでしみやすい").exists()


@pytest.mark.parametrize(
    "query",
    [
        "もりかわ",
        "モリカワ",
        "ﾓﾘｶﾜ",
        "森川",
        "紗季",
        "ﾓﾘｶﾜ ｻｷ",
        "もりかわさき",
        # One or two characters: most family names in kanji (served by their own index on PostgreSQL).
        "森",
        "ﾘｶ",
        "川紗",
        "1111",
        "090-1111",
        "０９０１１１１",
    ],
)
def test_search_finds_by_name_kana_or_phone_in_any_width_or_kana(salon_a, query):
    response = salon_a.client().get(LIST, {"q": query})
    assert names_in(response) == ["森川 紗季"]


@pytest.mark.parametrize("query", ["すずき", "鈴木", "鈴", "一郎"])
def test_search_matches_nothing_of_another_salon(salon_a, salon_b, query):
    assert names_in(salon_b.client().get(LIST, {"q": query})) == ["鈴木 一郎"]
    assert names_in(salon_a.client().get(LIST, {"q": query})) == []


def test_customers_are_listed_in_aiueo_order(salon_a):
    add_customers(salon_a, [("安藤 舞", "アンドウ マイ", ""), ("渡辺 楓", "わたなべ かえで", "")])
    assert names_in(salon_a.client().get(LIST)) == ["安藤 舞", "佐藤 美咲", "森川 紗季", "渡辺 楓"]


def test_customers_can_be_listed_by_last_visit(salon_a):
    make_karte(salon_a, customer=salon_a.other_customer, date=datetime.date(2026, 10, 1))
    make_karte(salon_a, customer=salon_a.customer, date=datetime.date(2026, 11, 1))
    add_customers(salon_a, [("安藤 舞", "あんどう まい", "")])
    assert names_in(salon_a.client().get(LIST, {"sort": "visit"})) == ["森川 紗季", "佐藤 美咲", "安藤 舞"]


def test_archived_customers_leave_the_list_and_can_come_back(salon_a):
    client = salon_a.client()
    client.post(reverse("staff:customer_archive", kwargs={"pk": salon_a.customer.pk}))
    assert names_in(client.get(LIST)) == ["佐藤 美咲"]
    assert names_in(client.get(LIST, {"archived": "on"})) == ["森川 紗季"]
    client.post(reverse("staff:customer_restore", kwargs={"pk": salon_a.customer.pk}))
    assert names_in(client.get(LIST)) == ["佐藤 美咲", "森川 紗季"]


def test_editing_records_which_fields_changed_but_not_their_values(salon_a):
    client = salon_a.client()
    url = reverse("staff:customer_edit", kwargs={"pk": salon_a.customer.pk})
    response = client.post(
        url, {"name": "森川 紗季", "kana": "もりかわ さき", "phone": "090-9999-0000", "memo": "新しいメモ"}
    )
    assert response.status_code == 302
    with scope(salon=salon_a.salon):
        entry = AuditEntry.objects.get(action=customers_actions.CUSTOMER_UPDATE)
    assert entry.data == {"fields": ["phone", "memo"]}
    assert "090-9999-0000" not in str(entry.data) + entry.summary


def test_the_list_is_paginated(salon_a):
    add_customers(salon_a, [(f"顧客 {i:03d}", f"こきゃく {i:03d}", "") for i in range(60)])
    first = salon_a.client().get(LIST)
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].paginator.count == 62
    assert len(salon_a.client().get(LIST, {"page": 2}).context["page"].object_list) == 12


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_pages_make_the_same_number_of_queries_whatever_the_data_size(salon_a):
    client = salon_a.client()
    detail = reverse("staff:customer_detail", kwargs={"pk": salon_a.customer.pk})
    preview = reverse("staff:customer_preview_phone", kwargs={"pk": salon_a.customer.pk})
    make_karte(salon_a)
    small = [_count_queries(client, url) for url in (LIST, detail, preview)]
    add_customers(salon_a, [(f"顧客 {i:03d}", f"こきゃく {i:03d}", "") for i in range(40)])
    for day in range(1, 8):
        make_karte(salon_a, public_text=True, public_photo=day % 2 == 0, date=datetime.date(2026, 9, day))
    large = [_count_queries(client, url) for url in (LIST, detail, preview)]
    assert small == large


def test_the_list_marks_customers_who_have_the_app(salon_a):
    from .linking_helpers import linked_phone

    linked_phone(salon_a)
    page = salon_a.client().get(LIST)
    marked = {c.name: c.has_app for c in page.context["page"].object_list}
    assert marked == {"森川 紗季": True, "佐藤 美咲": False}
