"""Colour recipes: rows of brand, shade, developer, ratio, amount, time and area with a note, for
staff only by construction (no 公開 switch, refused by the database and the selectors), and
「前回のレシピを使う」 in the editor."""

import datetime
import json
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from kartes.models import ItemKind, Karte, KarteItem
from kartes.selectors import get_visible_karte, last_recipe, visible_kartes
from kartes.services import ItemInput, StaffOnlyItem, item_set_public, karte_create

from .linking_helpers import app_url, linked_phone

ROW = {
    "brand": "イルミナ",
    "shade": "オーシャン 8",
    "developer": "6",
    "ratio": "1:1",
    "amount": "60",
    "time": "20",
    "area": "根元",
}


def recipe_karte(world, *, customer=None, date=datetime.date(2026, 10, 1), rows=(ROW,), note="次回は7レベル"):
    with world.scope():
        return karte_create(
            salon=world.salon,
            actor=world.owner.user,
            customer=customer or world.customer,
            treatment_date=date,
            staff=world.stylist,
            menu="カラー",
            items=[
                ItemInput(kind=ItemKind.RECIPE, recipe=list(rows), text=note, is_public=True),
                ItemInput(kind=ItemKind.TEXT, text="公開メモ", is_public=True),
            ],
        )


def editor_post(world, recipe, **item):
    return {
        "treatment_date": "2026-11-20",
        "staff": world.stylist.pk,
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-0-kind": "recipe",
        "items-0-recipe": recipe,
        "items-0-ORDER": "1",
        **{f"items-0-{key}": value for key, value in item.items()},
    }


def test_a_recipe_saved_from_the_editor_is_private_whatever_was_sent(salon_a):
    rows = json.dumps([ROW, {"brand": "  ", "shade": ""}], ensure_ascii=False)
    response = salon_a.client().post(
        reverse("staff:karte_create", args=[salon_a.customer.pk]),
        editor_post(salon_a, rows, is_public="on", text="ムラに注意"),
    )
    assert response.status_code == 302
    with salon_a.scope():
        item = KarteItem.objects.get(kind=ItemKind.RECIPE)
    assert item.recipe == [ROW]  # the empty row is dropped
    assert item.text == "ムラに注意"
    assert item.is_public is False and item.published_at is None


def test_the_service_keeps_it_private_even_when_asked(salon_a):
    karte = recipe_karte(salon_a)
    with salon_a.scope():
        item = karte.items.get(kind=ItemKind.RECIPE)
        assert item.is_public is False
        with pytest.raises(StaffOnlyItem):
            item_set_public(item=item, actor=salon_a.owner.user, public=True)


def test_the_publish_switch_refuses_a_recipe(salon_a):
    karte = recipe_karte(salon_a)
    with salon_a.scope():
        item = karte.items.get(kind=ItemKind.RECIPE)
    response = salon_a.client().post(reverse("staff:item_publish", args=[item.pk]), {"public": "1"})
    assert response.status_code == 400
    assert "カラーレシピはスタッフ専用のため、公開できません。" in response.content.decode()
    item.refresh_from_db()
    assert item.is_public is False


def test_the_database_refuses_a_public_recipe(salon_a):
    karte = recipe_karte(salon_a)
    with salon_a.scope(), pytest.raises(IntegrityError), transaction.atomic():
        KarteItem.objects.filter(karte=karte, kind=ItemKind.RECIPE).update(is_public=True)


def test_the_customer_selector_and_the_phone_never_see_it(salon_a):
    karte = recipe_karte(salon_a)
    with salon_a.scope():
        shown: Any = get_visible_karte(customer=salon_a.customer, pk=karte.pk)
        assert [item.kind for item in shown.public_items] == [ItemKind.TEXT]
        everything: Any = visible_kartes(customer=salon_a.customer)
        assert all(item.kind != ItemKind.RECIPE for k in everything for item in k.public_items)
    phone = linked_phone(salon_a)
    for page in (app_url(salon_a, "karte", pk=karte.pk), app_url(salon_a), app_url(salon_a, "visible")):
        body = phone.get(page).content.decode()
        assert "イルミナ" not in body and "次回は7レベル" not in body, page
    preview = salon_a.client().get(reverse("staff:customer_preview_phone", args=[salon_a.customer.pk]))
    assert "イルミナ" not in preview.content.decode()


def test_staff_see_it_in_the_history_as_staff_only(salon_a):
    recipe_karte(salon_a)
    page = salon_a.client().get(reverse("staff:customer_detail", args=[salon_a.customer.pk])).content.decode()
    assert "イルミナ" in page and "オーシャン 8" in page and "スタッフのみ" in page


def test_the_editor_offers_the_last_recipe_of_this_customer_only(salon_a):
    recipe_karte(salon_a, date=datetime.date(2026, 9, 1), rows=[{**ROW, "shade": "古い 6"}])
    latest = recipe_karte(salon_a, date=datetime.date(2026, 10, 1))
    recipe_karte(salon_a, customer=salon_a.other_customer, rows=[{**ROW, "shade": "他の人"}])
    page = salon_a.client().get(reverse("staff:karte_create", args=[salon_a.customer.pk])).content.decode()
    assert "前回のレシピを使う" in page and "オーシャン 8" in page
    assert "古い 6" not in page and "他の人" not in page
    # Editing the latest karte offers the one before it.
    with salon_a.scope():
        earlier = last_recipe(customer=salon_a.customer, before=latest)
    assert earlier is not None and earlier.recipe and earlier.recipe[0]["shade"] == "古い 6"


@pytest.mark.parametrize(
    "sent",
    ["not json", json.dumps({"brand": "x"}), json.dumps([{"colour": "x"}]), json.dumps([{"brand": 5}])],
)
def test_a_recipe_that_cannot_be_read_is_explained(salon_a, sent):
    response = salon_a.client().post(
        reverse("staff:karte_create", args=[salon_a.customer.pk]), editor_post(salon_a, sent)
    )
    assert response.status_code == 200
    assert "カラーレシピを読み取れませんでした。もう一度入力してください。" in response.content.decode()
    with salon_a.scope():
        assert not Karte.objects.exists()


def test_an_empty_recipe_asks_for_a_row(salon_a):
    response = salon_a.client().post(
        reverse("staff:karte_create", args=[salon_a.customer.pk]), editor_post(salon_a, "[]")
    )
    assert "レシピを1行以上入力するか、この項目を削除してください。" in response.content.decode()
