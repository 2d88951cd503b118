"""Staff type into the customer search on a tablet and the list narrows as they type."""

import pytest
from playwright.sync_api import expect

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_list_narrows_as_staff_type_in_half_width_katakana(live_server, tablet, salon_a, salon_b):
    page = tablet
    log_in(page, live_server, "salon-a-stylist", "pw-stylist-123")
    rows = page.locator(".customer-row__name")
    expect(rows).to_have_text(["佐藤 美咲", "森川 紗季"])
    page.get_by_role("searchbox").fill("ﾓﾘｶﾜ")
    expect(rows).to_have_text(["森川 紗季"])
    expect(page).to_have_url(f"{live_server.url}/customers/?q=%EF%BE%93%EF%BE%98%EF%BD%B6%EF%BE%9C&sort=kana")
    page.get_by_role("searchbox").fill("すずき")  # a customer of the other salon
    expect(page.locator(".empty-state")).to_contain_text("一致する顧客はいません")
