"""Booking from the customer's phone (390×844), in Japanese and English: ask for a visit with two
preferred times, the salon books the second on an iPad, and the phone shows the next appointment with
its calendar file and 「キャンセル」; then the customer asks for another time (「日時を変更」), the
appointment keeps its time until the salon moves it, and the phone shows the new one."""

import datetime

import pytest
from django.urls import reverse
from django_scopes import scope
from playwright.sync_api import expect

from menus.services import menu_preset_apply

from .conftest import TABLET, log_in
from .test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "ja": {"book": "予約する", "first": "第1希望", "second": "第2希望", "send": "送る",
           "sent": "リクエストを送りました", "next": "次回のご予約", "calendar": "カレンダーに追加",
           "cancel": "キャンセル", "waiting": "サロンの確認待ち", "change": "日時を変更",
           "ask": "この内容で依頼する", "asked": "別の日時をご希望です"},
    "en": {"book": "Book a visit", "first": "First choice", "second": "Second choice", "send": "Send",
           "sent": "Your request was sent", "next": "Your next appointment", "calendar": "Add to my calendar",
           "cancel": "Cancel", "waiting": "Waiting for the salon", "change": "Change the time",
           "ask": "Ask for these times", "asked": "You asked for another time"},
}  # fmt: skip


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_visit_asked_for_on_the_phone_and_booked_at_the_salon(
    browser, live_server, link_phone, salon_a, screenshot, language
):
    salon_a.salon.app_booking = "requests"
    salon_a.salon.save()
    with scope(salon=salon_a.salon):
        menu_preset_apply(salon=salon_a.salon, salon_type="hair")
    words = WORDS[language]
    phone = link_phone(salon_a, salon_a.customer)
    if language == "en":
        phone.context.add_cookies(
            [{"name": "django_language", "value": "en", "domain": "localhost", "path": "/"}]
        )
        phone.reload()
    phone.get_by_role("link", name=words["book"]).first.click()
    phone.get_by_label("カット", exact=True).first.check()
    # Six weeks ahead, whatever today is: inside the four months the app books, outside any deadline.
    first, second, third = (datetime.date.today() + datetime.timedelta(days=n) for n in (40, 41, 42))
    phone.get_by_label(words["first"]).fill(f"{first}T11:00")
    phone.get_by_label(words["second"]).fill(f"{second}T14:00")
    phone.get_by_role("button", name=words["send"]).click()
    expect(phone.locator(".app-message")).to_contain_text(words["sent"])
    expect(phone.locator(".notice-card").first).to_contain_text(words["waiting"])
    assert violations(phone) == []
    if language == "ja":
        screenshot(phone, "44-phone-booking-request")

    tablet = browser.new_context(viewport=TABLET, locale="ja-JP", timezone_id="Asia/Tokyo")
    try:
        page = tablet.new_page()
        log_in(page, live_server, "salon-a-stylist", "pw-stylist-123")
        expect(page.locator(".topbar__nav .badge--count")).to_contain_text("1")
        page.goto(live_server.url + reverse("staff:request_list"))
        assert violations(page) == []
        if language == "ja":
            screenshot(page, "45-requests-ipad", full_page=True)
        page.get_by_role("button", name=f"{second.month}/{second.day} 14:00 で予約する").click()
        expect(page.locator(".message")).to_contain_text("予約を確定")
    finally:
        tablet.close()

    phone.goto(f"{live_server.url}/s/{salon_a.salon.slug}/app/")
    card = phone.locator(".next-appointment")
    expect(card).to_contain_text(words["next"])
    expect(card).to_contain_text("14:00")
    expect(card.get_by_role("link", name=words["calendar"])).to_be_visible()
    expect(card.get_by_role("button", name=words["cancel"])).to_be_visible()
    assert violations(phone) == []

    # Another time, asked on the phone: the appointment stays at 14:00 until the salon moves it.
    card.get_by_role("link", name=words["change"]).click()
    phone.get_by_label(words["first"]).fill(f"{third}T15:00")
    assert violations(phone) == []
    if language == "ja":
        screenshot(phone, "46-phone-change-time")
    phone.get_by_role("button", name=words["ask"]).click()
    card = phone.locator(".next-appointment")
    expect(card).to_contain_text(words["asked"])
    expect(card).to_contain_text("14:00")
    tablet = browser.new_context(viewport=TABLET, locale="ja-JP", timezone_id="Asia/Tokyo")
    try:
        page = tablet.new_page()
        log_in(page, live_server, "salon-a-stylist", "pw-stylist-123")
        page.goto(live_server.url + reverse("staff:request_list"))
        expect(page.locator(".booking-request")).to_contain_text(f"予約中: {second.month}/{second.day} 14:00")
        page.get_by_role("button", name=f"{third.month}/{third.day} 15:00 に移す").click()
        expect(page.locator(".message")).to_contain_text("予約を移動しました")
    finally:
        tablet.close()
    phone.reload()
    card = phone.locator(".next-appointment")
    expect(card).to_contain_text("15:00")
    expect(card).not_to_contain_text(words["asked"])
