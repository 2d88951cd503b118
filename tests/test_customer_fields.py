"""Customer number, second phone, gender, postcode and address, allergies and cautions: numbered once
and never renumbered, Japanese input forgiven, allergies shown wherever staff work on the customer."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django_scopes import scope

from audit.models import AuditEntry
from customers import actions as customers_actions
from customers.models import Customer

from .factories import make_customer, make_karte

CREATE = reverse("staff:customer_create")


def test_new_customers_get_the_next_free_number(salon_a, salon_b):
    first = make_customer(salon_a, "一番 目")
    second = make_customer(salon_a, "二番 目")
    other_salon = make_customer(salon_b, "別 店")
    # The fixture's two customers hold 1 and 2 in each salon.
    assert (first.number, second.number) == (3, 4)
    assert other_salon.number == 3
    assert first.number_display == "00003"


def test_staff_can_set_the_number_when_adding(salon_a):
    response = salon_a.client().post(
        CREATE, {"name": "紙 台帳", "kana": "かみ だいちょう", "number": "０１２３４"}
    )
    assert response.status_code == 302
    with salon_a.scope():
        customer = Customer.objects.get(name="紙 台帳")
        assert customer.number == 1234
    # The next one given automatically follows the highest.
    assert make_customer(salon_a, "次 の").number == 1235


def test_a_number_already_used_is_refused_with_everything_kept(salon_a):
    response = salon_a.client().post(
        CREATE, {"name": "重複 番号", "kana": "ちょうふく", "number": "00001", "address": "渋谷区1-2-3"}
    )
    assert response.status_code == 200
    assert "顧客番号 00001 はすでに別のお客様に使われています。" in response.content.decode()
    assert response.context["form"]["address"].value() == "渋谷区1-2-3"


@pytest.mark.parametrize("typed", ["12a", "0", "123456789", "No.5"])
def test_a_number_that_is_not_digits_is_refused(salon_a, typed):
    response = salon_a.client().post(CREATE, {"name": "番号 違い", "kana": "ばんごう", "number": typed})
    assert response.status_code == 200
    assert "顧客番号は数字（8桁まで）で入力してください。例: 00123" in response.content.decode()


def test_the_number_cannot_be_changed_afterwards(salon_a):
    url = reverse("staff:customer_edit", args=[salon_a.customer.pk])
    page = salon_a.client().get(url).content.decode()
    assert 'name="number"' not in page
    assert "00001" in page
    salon_a.client().post(url, {"name": salon_a.customer.name, "kana": "もりかわ さき", "number": "999"})
    salon_a.customer.refresh_from_db()
    assert salon_a.customer.number == 1


def test_the_database_refuses_two_customers_with_one_number(salon_a):
    with salon_a.scope(), pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(salon=salon_a.salon, number=1, name="二人目", kana="ふたりめ")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("〒150-0001", "150-0001"),
        ("１５００００１", "150-0001"),
        ("150ー0001", "150-0001"),
        ("150 0001", "150-0001"),
    ],
)
def test_postcodes_are_stored_in_one_form(salon_a, typed, stored):
    response = salon_a.client().post(CREATE, {"name": "郵便 番号", "kana": "ゆうびん", "postcode": typed})
    assert response.status_code == 302
    with salon_a.scope():
        assert Customer.objects.get(name="郵便 番号").postcode == stored


def test_a_bad_postcode_and_phone_are_explained_in_japanese(salon_a):
    response = salon_a.client().post(
        CREATE, {"name": "入力 誤り", "kana": "にゅうりょく", "postcode": "15-01", "other_phone": "内線12"}
    )
    page = response.content.decode()
    assert "郵便番号は7桁の数字で入力してください。例: 150-0001" in page
    assert "電話番号は 090-1234-5678 のように 10〜11 桁で入力してください。" in page


def test_both_phones_and_the_number_find_the_customer(salon_a):
    salon_a.client().post(
        CREATE,
        {
            "name": "固定 電話",
            "kana": "こてい でんわ",
            "phone": "090-5555-0000",
            "other_phone": "03-3333-9876",
        },
    )
    client = salon_a.client()
    for query in ("3333-9876", "0333339876", "090-5555"):
        response = client.get(reverse("staff:customer_list"), {"q": query})
        assert [c.name for c in response.context["page"].object_list] == ["固定 電話"], query
    response = client.get(reverse("staff:customer_list"), {"q": "00002"})
    assert [c.name for c in response.context["page"].object_list] == ["佐藤 美咲"]
    # Shown on the list too.
    assert "00002" in client.get(reverse("staff:customer_list")).content.decode()


def test_gender_offers_prefer_not_to_say(salon_a):
    page = salon_a.client().get(CREATE).content.decode()
    assert "回答しない" in page
    salon_a.client().post(CREATE, {"name": "性別 なし", "kana": "せいべつ", "gender": "no_answer"})
    with salon_a.scope():
        assert Customer.objects.get(name="性別 なし").get_gender_display() == "回答しない"


def test_allergies_show_on_the_customer_page_and_in_the_editor(salon_a):
    with salon_a.scope():
        Customer.objects.filter(pk=salon_a.customer.pk).update(allergies="ジアミンアレルギー")
    karte = make_karte(salon_a)
    client = salon_a.client()
    for url in (
        reverse("staff:customer_detail", args=[salon_a.customer.pk]),
        reverse("staff:karte_create", args=[salon_a.customer.pk]),
        reverse("staff:karte_edit", args=[karte.pk]),
    ):
        page = client.get(url).content.decode()
        assert "アレルギー・注意事項" in page and "ジアミンアレルギー" in page, url


def test_allergies_never_reach_the_customer(salon_a):
    from kartes.selectors import visible_kartes

    with salon_a.scope():
        Customer.objects.filter(pk=salon_a.customer.pk).update(allergies="ジアミンアレルギー")
    make_karte(salon_a, public_text=True)
    page = salon_a.client().get(reverse("staff:customer_preview_phone", args=[salon_a.customer.pk]))
    assert "ジアミン" not in page.content.decode()
    with scope(salon=salon_a.salon):
        assert visible_kartes(customer=salon_a.customer).exists()


def test_changing_the_new_fields_is_audited_by_name_only(salon_a):
    url = reverse("staff:customer_edit", args=[salon_a.customer.pk])
    salon_a.client().post(
        url,
        {
            "name": salon_a.customer.name,
            "kana": "もりかわ さき",
            "allergies": "ラテックス",
            "address": "港区",
        },
    )
    with salon_a.scope():
        entry = AuditEntry.objects.filter(action=customers_actions.CUSTOMER_UPDATE).latest("id")
    assert set(entry.data["fields"]) >= {"allergies", "address"}
    assert "ラテックス" not in str(entry.data) + entry.summary


def test_the_migration_numbers_existing_customers_in_the_order_they_were_added(salon_a, salon_b):
    import datetime
    import importlib

    from django.db import connection
    from django_scopes import scopes_disabled

    migration = importlib.import_module("customers.migrations.0007_customer_number_and_fields")
    later = make_customer(salon_a, "後 から")
    start = later.created_at
    with scopes_disabled():
        for name, days in (("佐藤 美咲", -2), ("森川 紗季", -1)):
            Customer.objects.filter(name=name).update(created_at=start + datetime.timedelta(days=days))
        Customer.objects.update(number=None)
        with connection.cursor() as cursor:
            cursor.execute(migration.NUMBER_IN_ORDER)
        numbers = dict(Customer.objects.filter(salon=salon_a.salon).values_list("name", "number"))
        other = sorted(
            n or 0 for n in Customer.objects.filter(salon=salon_b.salon).values_list("number", flat=True)
        )
    assert numbers == {"佐藤 美咲": 1, "森川 紗季": 2, "後 から": 3}
    assert other == [1, 2]
