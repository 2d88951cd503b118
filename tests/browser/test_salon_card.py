"""The customer's phone: the salon's message above the kartes, the next visit with its booking link,
and the salon card under 「お店」 with a phone number to tap."""

import datetime

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from kartes.services import karte_create
from salons.models import Salon

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_phone_shows_the_message_the_next_visit_and_the_salon_card(
    live_server, salon_a, link_phone, screenshot
):
    Salon.objects.filter(pk=salon_a.salon.pk).update(
        karte_message="年末年始は12/30〜1/3までお休みをいただきます。",
        phone="03-1234-5678",
        address="東京都渋谷区神宮前1-2-3",
        opening_hours="10:00〜19:00\n火曜定休",
        booking_url="https://reserve.example.jp/salon-a",
        line_url="https://line.me/R/ti/p/@salon-a",
        instagram_url="https://www.instagram.com/salon.a/",
    )
    with scope(salon=salon_a.salon):
        karte_create(
            salon=salon_a.salon, actor=salon_a.owner.user, customer=salon_a.customer,
            treatment_date=datetime.date(2026, 11, 1), staff=salon_a.stylist, menu="カット", items=[],
            next_visit_weeks=6,
        )  # fmt: skip
    page = link_phone(salon_a, salon_a.customer)
    expect(page.locator(".salon-message")).to_contain_text("年末年始は12/30〜1/3までお休みをいただきます。")
    card = page.locator(".next-visit")
    expect(card).to_contain_text("12月13日 ごろ")
    expect(card.get_by_role("link", name="予約する")).to_have_attribute(
        "href", "https://reserve.example.jp/salon-a"
    )
    screenshot(page, "28-phone-next-visit")
    page.get_by_role("link", name="お店").click()
    expect(page.get_by_role("link", name="03-1234-5678")).to_have_attribute("href", "tel:0312345678")
    expect(page.get_by_role("link", name="地図を開く")).to_be_visible()
    expect(page.get_by_role("link", name="LINE")).to_be_visible()
    for link in page.locator("main a").all():
        box = link.bounding_box()
        assert box and box["height"] >= 24 and box["x"] >= 0  # tappable and on screen at phone width
    screenshot(page, "29-phone-salon-card")
