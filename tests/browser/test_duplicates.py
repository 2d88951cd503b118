"""「重複の可能性」 on an iPad, as the owner meets it: the customer list says how many pairs wait, the
list shows each pair with why, her page shows the other record, and 「別人として扱う」 sets a pair
aside for good."""

import pytest
from django.urls import reverse
from django_scopes import scope
from playwright.sync_api import expect

from customers.services import customer_create

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
def test_the_owner_finds_a_second_record_and_sets_a_pair_aside(
    browser, live_server, salon_a, screenshot, size, language
):
    with scope(salon=salon_a.salon):
        again = customer_create(
            salon=salon_a.salon, actor=None,
            data={"name": "森川 さき", "kana": "もりかわ さき", "phone": salon_a.customer.phone},
        )  # fmt: skip
        customer_create(salon=salon_a.salon, actor=None, data={"name": "佐藤 美咲", "kana": "さとう みさき"})
    words = {
        "ja": {"note": "重複の可能性: 2組", "phone": "携帯電話が同じ", "name": "氏名・フリガナが同じ",
               "aside": "別人として扱う", "done": "別人として扱います"},
        "en": {"note": "Likely duplicates: 2 pairs", "phone": "the same mobile number",
               "name": "the same name and furigana", "aside": "Different people",
               "done": "will be treated as different people"},
    }[language]  # fmt: skip
    context = browser.new_context(viewport=size, locale="ja-JP", timezone_id="Asia/Tokyo")
    try:
        page = context.new_page()
        log_in(page, live_server, "salon-a-owner", "pw-owner-123")
        if language == "en":
            context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        page.goto(live_server.url + reverse("staff:customer_list"))
        page.get_by_role("link", name=words["note"]).click()
        pairs = page.locator("li.duplicate-pair")
        expect(pairs).to_have_count(2)
        expect(pairs.filter(has_text="森川 さき")).to_contain_text(words["phone"])
        expect(pairs.filter(has_text="佐藤 美咲").first).to_contain_text(words["name"])
        assert violations(page) == []
        if language == "ja":
            screenshot(page, f"47-duplicates-{'portrait' if size['width'] < 1000 else 'landscape'}")
        pairs.filter(has_text="森川 さき").get_by_role("link", name="森川 紗季").click()
        section = page.locator(".customer-duplicates")
        expect(section).to_contain_text("森川 さき")
        expect(section.get_by_role("link", name="森川 さき")).to_have_attribute(
            "href", reverse("staff:customer_detail", kwargs={"pk": again.pk})
        )
        section.get_by_role("button", name=words["aside"]).click()
        expect(page.locator(".message")).to_contain_text(words["done"])
        expect(page.locator(".customer-duplicates")).to_have_count(0)  # back on her page, nothing left
        page.goto(live_server.url + reverse("staff:duplicate_list"))
        expect(page.locator("li.duplicate-pair")).to_have_count(1)
    finally:
        context.close()
