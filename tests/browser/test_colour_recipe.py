"""A stylist on a tablet copies last visit's colour recipe in one tap, adjusts it and saves it: it
stays staff only, with no 公開 switch anywhere."""

import datetime

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from kartes.models import ItemKind, Karte
from kartes.services import ItemInput, karte_create

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAST = {
    "brand": "イルミナ",
    "shade": "オーシャン 8",
    "developer": "6",
    "ratio": "1:1",
    "amount": "60",
    "time": "20",
    "area": "根元",
}


@pytest.mark.parametrize("size", [(820, 1180), (1180, 820)], ids=["portrait", "landscape"])
def test_the_last_recipe_is_copied_in_one_tap_and_stays_staff_only(
    live_server, tablet, salon_a, screenshot, size
):
    with scope(salon=salon_a.salon):
        karte_create(
            salon=salon_a.salon, actor=salon_a.owner.user, customer=salon_a.customer,
            treatment_date=datetime.date(2026, 10, 1), staff=salon_a.stylist, menu="カラー",
            items=[ItemInput(kind=ItemKind.RECIPE, recipe=[LAST], text="次回は7レベル")],
        )  # fmt: skip
    page = tablet
    page.set_viewport_size({"width": size[0], "height": size[1]})
    log_in(page, live_server, "salon-a-stylist", "pw-stylist-123")
    page.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/kartes/new/")
    expect(page.locator("#karte-form")).to_have_attribute("data-ready", "true")

    page.get_by_role("button", name="前回のレシピを使う").click()
    recipe = page.locator('.editor-item[data-kind="recipe"]')
    expect(recipe.get_by_label("メーカー・薬剤")).to_have_value("イルミナ")
    expect(recipe.get_by_label("メモ")).to_have_value("次回は7レベル")
    expect(recipe.locator(".public-switch")).to_be_hidden()
    expect(recipe.get_by_text("スタッフのみ")).to_be_visible()
    recipe.get_by_label("放置（分）").fill("25")
    recipe.get_by_role("button", name="行を追加").click()
    second = recipe.locator(".recipe__row").nth(1)
    second.get_by_label("メーカー・薬剤").fill("アディクシー")
    second.get_by_label("塗布部位").fill("毛先")
    # Every box of a row is on screen, without sideways scrolling.
    for box in recipe.locator(".recipe__row").first.locator("input").all():
        expect(box).to_be_in_viewport()
    screenshot(page, f"24-colour-recipe-{size[0]}x{size[1]}")
    page.get_by_role("button", name="カルテを保存").click()
    expect(page.locator(".message")).to_contain_text("のカルテを保存しました")
    tile = page.locator("article.karte").first.locator(".item-tile--recipe")
    expect(tile).to_contain_text("アディクシー")
    expect(tile.locator(".staff-only")).to_have_text("スタッフのみ")
    expect(tile.locator(".state")).to_have_count(0)

    with scope(salon=salon_a.salon):
        item = Karte.objects.latest("pk").items.get(kind=ItemKind.RECIPE)
    rows = item.recipe or []
    assert rows[0] == {**LAST, "time": "25"}
    assert rows[1]["brand"] == "アディクシー" and rows[1]["area"] == "毛先"
    assert item.is_public is False
