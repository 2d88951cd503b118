"""Two records of one person made one, end to end: the customer's phone is linked to her second
record (B) and shows its one karte; the owner, on an iPad, follows 「重複の可能性」 to the side-by-side
page, keeps B's mobile number and merges; the phone, reloaded, greets her by A's name and shows both
kartes; 「元に戻す」 brings the phone back to B's karte alone."""

import pytest
from django.urls import reverse
from django_scopes import scope
from playwright.sync_api import expect

from customers.services import customer_create
from tests.factories import make_karte

from .conftest import log_in
from .test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("size", "language"),
    [
        pytest.param({"width": 820, "height": 1180}, "ja", id="portrait-ja"),
        pytest.param({"width": 1180, "height": 820}, "en", id="landscape-en"),
    ],
)
def test_merging_on_the_ipad_and_the_phone_before_and_after(
    browser, live_server, link_phone, salon_a, screenshot, size, language
):
    a = salon_a.customer
    with scope(salon=salon_a.salon):
        b = customer_create(
            salon=salon_a.salon, actor=None,
            data={"name": "森川 さき", "kana": "もりかわ さき", "phone": a.phone, "allergies": "ジアミン"},
        )  # fmt: skip
    make_karte(salon_a, customer=a, public_text=True, text="Aの記録")
    make_karte(salon_a, customer=b, public_text=True, text="Bの記録")
    phone = link_phone(salon_a, b)
    expect(phone.locator(".karte-cards > li")).to_have_count(1)

    words = {
        "ja": {"compare": "比べて統合", "merge": "森川 さき 様を 森川 紗季 様に統合する",
               "done": "統合しました", "undo": "統合を元に戻す", "undone": "統合を元に戻しました"},
        "en": {"compare": "Compare and merge", "merge": "Merge 森川 さき into 森川 紗季",
               "done": "was merged into", "undo": "Undo the merge", "undone": "The merge was undone"},
    }[language]  # fmt: skip
    context = browser.new_context(viewport=size, locale="ja-JP", timezone_id="Asia/Tokyo")
    try:
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        log_in(page, live_server, "salon-a-owner", "pw-owner-123")
        if language == "en":
            context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        page.goto(live_server.url + reverse("staff:duplicate_list"))
        page.get_by_role("link", name=words["compare"]).click()
        expect(page.locator(".merge-table")).to_contain_text("ジアミン")
        assert violations(page) == []
        if language == "ja":
            screenshot(page, "48-merge-portrait", full_page=True)
        page.get_by_role("button", name=words["merge"]).click()
        expect(page.locator(".message")).to_contain_text(words["done"])
        expect(page.locator(".caution")).to_contain_text("ジアミン")  # her caution came along

        phone.reload()
        expect(phone.get_by_role("heading", name="森川 紗季様")).to_be_visible()
        expect(phone.locator(".karte-cards > li")).to_have_count(2)

        page.get_by_role("button", name=words["undo"]).click()
        expect(page.locator(".message")).to_contain_text(words["undone"])
        expect(page).to_have_url(live_server.url + reverse("staff:customer_detail", kwargs={"pk": b.pk}))
    finally:
        context.close()
    phone.reload()
    expect(phone.get_by_role("heading", name="森川 さき様")).to_be_visible()
    expect(phone.locator(".karte-cards > li")).to_have_count(1)
