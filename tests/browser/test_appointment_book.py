"""The 予約台帳 in Chromium at iPad portrait and landscape, in Japanese and English: tap an empty
half-hour, find the customer, pick a menu, book; the booking shows in its staff member's column;
「来店」 opens the karte with the appointment's staff member and menu; the next visit booked from the
karte in two taps."""

import datetime

import pytest
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import expect

from kartes.models import Karte
from menus.services import menu_preset_apply
from tests.factories import make_karte

from .conftest import TABLET, log_in
from .test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [
    pytest.param({"width": 820, "height": 1180}, "ja", id="portrait-ja"),
    pytest.param({"width": 1180, "height": 820}, "ja", id="landscape-ja"),
    pytest.param({"width": 1180, "height": 820}, "en", id="landscape-en"),
]
WORDS = {
    "ja": {"book": "予約する", "search": "検索", "customer": "お客様", "arrived": "来店：カルテを開く",
           "slot": "11:00 {name} に予約", "next": "次回予約を入れる", "cut": "カット（60分）"},
    "en": {"book": "Book", "search": "Search", "customer": "Customer", "arrived": "Arrived: open the karte",
           "slot": "Book 11:00, {name}", "next": "Book the next visit", "cut": "カット（60分）"},
}  # fmt: skip


@pytest.mark.parametrize(("size", "language"), SIZES)
def test_booking_from_the_ledger_and_arriving(browser, live_server, salon_a, screenshot, size, language):
    with scope(salon=salon_a.salon):
        menu_preset_apply(salon=salon_a.salon, salon_type="hair")  # in Japanese: the test's default language
    words = WORDS[language]
    day = timezone.localdate() + datetime.timedelta(days=1)
    context = browser.new_context(viewport=size, locale="ja-JP", timezone_id="Asia/Tokyo")
    context.set_default_timeout(15_000)
    errors = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        log_in(page, live_server, "salon-a-stylist", "pw-stylist-123")
        if language == "en":
            page.get_by_role("button", name="English").click()
        page.goto(f"{live_server.url}/appointments/?date={day.isoformat()}")
        page.get_by_role("link", name=words["slot"].format(name=salon_a.stylist.display_name)).click()
        page.get_by_label(words["customer"]).fill("もりかわ")
        page.get_by_role("button", name=words["search"]).click()
        page.get_by_role("link", name=salon_a.customer.name).click()
        expect(page.locator("#id_time")).to_have_value("11:00")
        page.get_by_label(words["cut"]).first.check()
        page.get_by_role("button", name=words["book"], exact=True).click()
        page.wait_for_url(f"**/appointments/?date={day.isoformat()}")
        booked = page.locator(".ledger__appointment", has_text=salon_a.customer.name)
        expect(booked).to_contain_text("11:00–12:00")
        assert violations(page) == []
        orientation = "portrait" if size["width"] < size["height"] else "landscape"
        if language == "ja":
            screenshot(page, f"43-appointment-book-{orientation}")

        booked.click()
        page.get_by_role("button", name=words["arrived"]).click()
        page.wait_for_url("**/kartes/new/?appointment=*")
        expect(page.locator("#id_staff")).to_have_value(str(salon_a.stylist.pk))
        expect(page.locator(".menu-chip input:checked, [name=menu_items]:checked")).to_have_count(1)
    finally:
        context.close()
    assert errors == []


def test_the_next_visit_in_two_taps_from_the_karte(browser, live_server, salon_a):
    karte = make_karte(salon_a, date=timezone.localdate())
    with scope(salon=salon_a.salon):
        Karte.objects.filter(pk=karte.pk).update(next_visit_weeks=5)
    context = browser.new_context(viewport=TABLET, locale="ja-JP", timezone_id="Asia/Tokyo")
    try:
        page = context.new_page()
        log_in(page, live_server, "salon-a-stylist", "pw-stylist-123")
        page.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/")
        page.get_by_role("link", name="次回予約を入れる").click()  # one
        page.get_by_role("button", name="予約する", exact=True).click()  # two
        suggested = timezone.localdate() + datetime.timedelta(weeks=5)
        page.wait_for_url(f"**/appointments/?date={suggested.isoformat()}")
        expect(page.locator(".ledger__appointment", has_text=salon_a.customer.name)).to_be_visible()
    finally:
        context.close()


def test_dragging_an_appointment_to_another_staff_member_and_time(browser, live_server, salon_a):
    from appointments.models import Appointment
    from appointments.services import appointment_book

    day = timezone.localdate() + datetime.timedelta(days=1)
    with scope(salon=salon_a.salon):
        booked = appointment_book(
            salon=salon_a.salon, actor=None, customer=salon_a.customer, staff=salon_a.stylist,
            starts_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(11, 0))),
        )  # fmt: skip
    context = browser.new_context(viewport=TABLET, locale="ja-JP", timezone_id="Asia/Tokyo")
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        questions = []

        def answer(dialog):
            questions.append(dialog.message)
            dialog.accept()

        page.on("dialog", answer)
        log_in(page, live_server, "salon-a-stylist", "pw-stylist-123")
        page.goto(f"{live_server.url}/appointments/?date={day.isoformat()}")
        item = page.locator(".ledger__appointment", has_text=salon_a.customer.name)
        target = page.get_by_role("link", name=f"13:00 {salon_a.owner.display_name} に予約")
        box, goal = item.bounding_box(), target.bounding_box()
        with page.expect_navigation():  # the page reloads once the move is saved; a finger's drag:
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.mouse.down()
            page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] / 2, steps=8)
            page.mouse.up()
        assert questions == [
            f"{salon_a.customer.name} 様の予約を 13:00・{salon_a.owner.display_name} に移しますか？"
        ]
        expect(page.locator(".ledger__appointment", has_text=salon_a.customer.name)).to_contain_text(
            "13:00–14:00"
        )
        with scope(salon=salon_a.salon):
            moved = Appointment.objects.get(pk=booked.pk)
        assert moved.staff == salon_a.owner
    finally:
        context.close()
