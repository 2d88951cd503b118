"""The salon's menu catalogue: presets per kind of salon, the owner's page, chips in the karte
editor that record each menu's name and price of the day, 指名, and what the customer app shows."""

import datetime

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from audit.models import AuditEntry
from kartes.models import Karte
from kartes.services import karte_create
from menus import actions as menus_actions
from menus.models import MenuCategory, MenuItem
from menus.services import menu_category_save, menu_item_save
from operations.services import salon_create

from .linking_helpers import app_url, linked_phone


def catalogue(world, *items):
    """A category of the given (name, price) items in the world's salon."""
    with scope(salon=world.salon):
        category = menu_category_save(salon=world.salon, actor=None, name="カット")
        return [
            menu_item_save(salon=world.salon, actor=None, category=category, name=name, price=price)
            for name, price in items
        ]


def editor_post(world, items, **extra):
    return {
        "treatment_date": "2026-11-20",
        "staff": world.stylist.pk,
        "menu_items": [item.pk for item in items],
        "items-TOTAL_FORMS": "0",
        "items-INITIAL_FORMS": "0",
        **extra,
    }


@pytest.mark.parametrize(
    ("salon_type", "category", "item"),
    [
        ("hair", "カラー", "リタッチカラー"),
        ("nail", "ハンド", "ジェル ワンカラー"),
        ("eyelash", "まつげエクステ", "エクステ 100本"),
        ("esthetic", "フェイシャル", "毛穴ケア"),
    ],
)
def test_a_new_salon_starts_with_the_menu_of_its_kind(db, salon_type, category, item):
    salon = salon_create(
        name="新店", slug=f"new-{salon_type}", owner_username=f"o-{salon_type}", owner_password="pw-12345678",
        owner_name="店長", salon_type=salon_type,
    )  # fmt: skip
    with scope(salon=salon):
        assert MenuCategory.objects.filter(name=category).exists()
        item_row = MenuItem.objects.get(name=item)
        assert item_row.price and item_row.price > 0


def test_a_salon_without_a_type_starts_empty_and_the_owner_can_pick_a_preset(salon_a):
    client = salon_a.client()
    page = client.get(reverse("staff:menu_list")).content.decode()
    assert "ひな形から始める" in page
    client.post(reverse("staff:menu_preset"), {"salon_type": "hair"})
    with salon_a.scope():
        assert MenuItem.objects.filter(name="カット", price=5500).exists()
        assert AuditEntry.objects.filter(action=menus_actions.MENU_CHANGE, data__preset="hair").exists()


def test_the_owner_adds_an_item_with_a_price_typed_the_japanese_way(salon_a):
    (existing,) = catalogue(salon_a, ("カット", 5500))
    response = salon_a.client().post(
        reverse("staff:menu_item_create"),
        {"category": existing.category_id, "name": "前髪カット", "price": "￥１，１００円"},
    )
    assert response.status_code == 302
    with salon_a.scope():
        assert MenuItem.objects.get(name="前髪カット").price == 1100


def test_a_bad_price_is_explained_and_the_name_kept(salon_a):
    (existing,) = catalogue(salon_a, ("カット", 5500))
    response = salon_a.client().post(
        reverse("staff:menu_item_create"),
        {"category": existing.category_id, "name": "前髪カット", "price": "千円"},
    )
    page = response.content.decode()
    assert "料金は 5500 のように数字（円）で入力してください。" in page
    assert 'value="前髪カット"' in page


def test_items_move_up_and_down_within_their_category(salon_a):
    *_, kids = catalogue(salon_a, ("カット", 5500), ("前髪", 1100), ("キッズ", 3300))
    salon_a.client().post(reverse("staff:menu_item_action", args=[kids.pk]), {"action": "up"})
    with salon_a.scope():
        assert list(MenuItem.objects.order_by("position").values_list("name", flat=True)) == [
            "カット",
            "キッズ",
            "前髪",
        ]


def test_the_karte_keeps_the_name_and_price_of_the_day(salon_a):
    cut, colour = catalogue(salon_a, ("カット", 5500), ("カラー", 7700))
    client = salon_a.client()
    response = client.post(
        reverse("staff:karte_create", args=[salon_a.customer.pk]),
        editor_post(salon_a, [cut, colour], menu="眉カット"),
    )
    assert response.status_code == 302
    with salon_a.scope():
        karte = Karte.objects.get()
        assert karte.menu_lines == [
            {"item": cut.pk, "name": "カット", "price": 5500},
            {"item": colour.pk, "name": "カラー", "price": 7700},
            {"item": None, "name": "眉カット", "price": None},
        ]
        assert karte.menu == "カット、カラー、眉カット" and karte.menu_total == 13200
        # The catalogue changes afterwards; the visit does not.
        menu_item_save(
            salon=salon_a.salon, actor=None, item=cut, category=cut.category, name="カット（新）", price=6600
        )
    history = client.get(reverse("staff:customer_detail", args=[salon_a.customer.pk])).content.decode()
    assert "¥5,500" in history and "合計 ¥13,200" in history and "カット（新）" not in history
    # Saved again from the editor: the recorded lines stay as they were.
    edit = client.get(reverse("staff:karte_edit", args=[karte.pk]))
    assert edit.context["form"]["menu"].value() == "眉カット"
    client.post(
        reverse("staff:karte_edit", args=[karte.pk]),
        editor_post(
            salon_a,
            [cut, colour],
            menu="眉カット",
            version=karte.version,
            save_key="7b1c1e6e-7c9a-4c55-9b0a-3a6b2d3c1f00",
        ),
    )
    with salon_a.scope():
        karte.refresh_from_db()
        assert karte.menu_lines[0] == {"item": cut.pk, "name": "カット", "price": 5500}
        assert karte.version == 2


def test_an_item_no_longer_offered_stays_on_the_karte_that_has_it(salon_a):
    _, perm = catalogue(salon_a, ("カット", 5500), ("パーマ", 8800))
    with salon_a.scope():
        karte = karte_create(
            salon=salon_a.salon, actor=salon_a.owner.user, customer=salon_a.customer,
            treatment_date=datetime.date(2026, 11, 1), staff=salon_a.stylist, menu="", items=[],
            menu_item_ids=[perm.pk],
        )  # fmt: skip
    salon_a.client().post(reverse("staff:menu_item_action", args=[perm.pk]), {"action": "archive"})
    new_editor = (
        salon_a.client().get(reverse("staff:karte_create", args=[salon_a.customer.pk])).content.decode()
    )
    assert f'name="menu_items" value="{perm.pk}"' not in new_editor
    old_editor = salon_a.client().get(reverse("staff:karte_edit", args=[karte.pk])).content.decode()
    assert f'name="menu_items" value="{perm.pk}" data-price="8800" checked' in old_editor
    assert "このカルテに記録済み（提供終了）" in old_editor


def test_another_salons_menu_item_cannot_be_recorded(salon_a, salon_b):
    (foreign,) = catalogue(salon_b, ("サロンBのカット", 9900))
    response = salon_a.client().post(
        reverse("staff:karte_create", args=[salon_a.customer.pk]), editor_post(salon_a, [foreign])
    )
    assert response.status_code == 200
    assert "選んだメニューがメニュー表にありません。" in response.content.decode()
    with scopes_disabled():
        assert not Karte.objects.exists()


def test_nominated_is_saved_and_shown_in_the_history(salon_a):
    (cut,) = catalogue(salon_a, ("カット", 5500))
    client = salon_a.client()
    client.post(
        reverse("staff:karte_create", args=[salon_a.customer.pk]), editor_post(salon_a, [cut], nominated="on")
    )
    with salon_a.scope():
        assert Karte.objects.get().nominated is True
    history = client.get(reverse("staff:customer_detail", args=[salon_a.customer.pk])).content.decode()
    assert '<span class="nominated">指名</span>' in history


def test_the_app_shows_menus_and_prices_only_when_the_salon_chooses(salon_a):
    cut, colour = catalogue(salon_a, ("カット", 5500), ("カラー", 7700))
    with salon_a.scope():
        karte = karte_create(
            salon=salon_a.salon, actor=salon_a.owner.user, customer=salon_a.customer,
            treatment_date=datetime.date(2026, 11, 1), staff=salon_a.stylist, menu="", items=[],
            menu_item_ids=[cut.pk, colour.pk],
        )  # fmt: skip
    phone = linked_phone(salon_a)
    karte_page = app_url(salon_a, "karte", pk=karte.pk)

    def shown():
        return phone.get(karte_page).content.decode()

    assert "カラー" not in shown() and "7,700" not in shown()
    salon_a.salon.app_shows_menu = True
    salon_a.salon.save()
    assert "カラー" in shown() and "7,700" not in shown()
    salon_a.salon.app_shows_prices = True
    salon_a.salon.save()
    assert "¥7,700" in shown()


def test_the_platform_admin_creates_a_nail_salon_with_its_menu(db, client):
    from django.contrib.auth import get_user_model

    from salons.models import Salon

    operator = get_user_model().objects.create_superuser(username="op", password="op-password-1")
    client.force_login(operator)
    assert "サロンの種類" in client.get(reverse("admin:salons_salon_add")).content.decode()
    response = client.post(
        reverse("admin:salons_salon_add"),
        {
            "name": "ネイル ルナ",
            "slug": "luna",
            "theme_color": "#b5838d",
            "timezone": "Asia/Tokyo",
            "salon_type": "nail",
            "staff-TOTAL_FORMS": "0",
            "staff-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    salon = Salon.objects.get(slug="luna")
    with scope(salon=salon):
        assert MenuItem.objects.filter(name="ジェルオフ").exists()


def test_a_salon_with_a_menu_can_be_deleted_for_good(salon_a):
    from django.core.management import call_command

    from salons.models import Salon

    catalogue(salon_a, ("カット", 5500))
    call_command("delete_salon", slug="salon-a", confirm="salon-a")
    with scopes_disabled():
        assert not Salon.objects.filter(slug="salon-a").exists()
        assert not MenuItem.objects.exists()
