"""The salon card in the customer app (phone, address with a map, hours, booking, LINE, Instagram,
website), the fixed message above the kartes, and the next visit staff set on the karte."""

import datetime

from django.urls import reverse

from kartes.services import karte_create
from salons.models import Salon

from .factories import make_karte
from .linking_helpers import app_url, linked_phone

SETTINGS = reverse("staff:salon_settings")
BASE = {"name": "サロンA", "theme_color": "#b5838d", "timezone": "Asia/Tokyo"}


def set_card(world, **fields):
    Salon.objects.filter(pk=world.salon.pk).update(**fields)
    world.salon.refresh_from_db()


def test_the_owner_fills_the_card_the_way_salons_write_it(salon_a):
    response = salon_a.client().post(
        SETTINGS,
        {
            **BASE,
            "phone": "０３ー１２３４ー５６７８",
            "line_url": "@salon-a",
            "instagram_url": "@salon.a",
            "booking_url": "reserve.example.jp/salon-a",
            "karte_message": "年末年始は12/30〜1/3までお休みです。",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    salon = Salon.objects.get(pk=salon_a.salon.pk)
    assert salon.phone == "03-1234-5678"
    assert salon.line_url == "https://line.me/R/ti/p/@salon-a"
    assert salon.instagram_url == "https://www.instagram.com/salon.a/"
    assert salon.booking_url == "https://reserve.example.jp/salon-a"


def test_a_bad_address_or_phone_is_explained(salon_a):
    response = salon_a.client().post(SETTINGS, {**BASE, "website_url": "not a site", "phone": "内線"})
    page = response.content.decode()
    assert "https://example.jp/ のようなURLを入力してください。" in page
    assert "電話番号は 090-1234-5678 のように 10〜11 桁で入力してください。" in page


def test_the_app_shows_only_what_was_filled_in(salon_a):
    phone = linked_phone(salon_a)
    assert "お店の情報はまだ登録されていません。" in phone.get(app_url(salon_a, "salon")).content.decode()
    set_card(
        salon_a,
        phone="03-1234-5678",
        address="東京都渋谷区神宮前1-2-3",
        opening_hours="10:00〜19:00\n火曜定休",
        booking_url="https://reserve.example.jp/a",
        instagram_url="https://www.instagram.com/salon.a/",
    )
    page = phone.get(app_url(salon_a, "salon")).content.decode()
    assert 'href="tel:0312345678"' in page
    assert "https://www.google.com/maps/search/?api=1&amp;query=%E6%9D%B1%E4%BA%AC" in page
    assert "10:00〜19:00<br>火曜定休" in page
    assert 'href="https://reserve.example.jp/a"' in page and "Instagram" in page
    assert "LINE" not in page


def test_the_message_shows_above_the_kartes_on_the_phone_and_in_the_preview(salon_a):
    set_card(salon_a, karte_message="年末年始は12/30〜1/3までお休みです。")
    make_karte(salon_a, public_text=True)
    phone = linked_phone(salon_a)
    home = phone.get(app_url(salon_a)).content.decode()
    assert "年末年始は" in home and home.index("年末年始は") < home.index(
        '<h2 class="section-title">施術の記録'
    )
    preview = salon_a.client().get(reverse("staff:customer_preview_phone", args=[salon_a.customer.pk]))
    assert "年末年始は12/30〜1/3までお休みです。" in preview.content.decode()


def test_the_next_visit_from_the_latest_karte_comes_with_the_booking_link(salon_a):
    set_card(salon_a, booking_url="https://reserve.example.jp/a")
    with salon_a.scope():
        karte_create(
            salon=salon_a.salon, actor=salon_a.owner.user, customer=salon_a.customer,
            treatment_date=datetime.date(2026, 11, 1), staff=salon_a.stylist, menu="カット", items=[],
            next_visit_weeks=6,
        )  # fmt: skip
    phone = linked_phone(salon_a)
    home = phone.get(app_url(salon_a)).content.decode()
    assert "次回来店の目安" in home and "12月13日 ごろ" in home
    assert 'class="button button--primary button--block" href="https://reserve.example.jp/a"' in home
    history = (
        salon_a.client().get(reverse("staff:customer_detail", args=[salon_a.customer.pk])).content.decode()
    )
    assert "次回の目安: 12月13日 ごろ（6 週間後）" in history
    # A later visit without a suggestion: no card.
    make_karte(salon_a, date=datetime.date(2026, 11, 20))
    assert "次回来店の目安" not in phone.get(app_url(salon_a)).content.decode()


def test_the_editor_saves_the_next_visit(salon_a):
    response = salon_a.client().post(
        reverse("staff:karte_create", args=[salon_a.customer.pk]),
        {
            "treatment_date": "2026-11-20",
            "staff": salon_a.stylist.pk,
            "menu": "カット",
            "next_visit_weeks": "8",
            "items-TOTAL_FORMS": "0",
            "items-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    with salon_a.scope():
        karte = salon_a.customer.kartes.get()
    assert karte.next_visit_on == datetime.date(2027, 1, 15)


def test_the_phone_may_keep_the_salon_page(salon_a):
    phone = linked_phone(salon_a)
    assert app_url(salon_a, "salon") in phone.get(app_url(salon_a, "visible")).json()["urls"]
