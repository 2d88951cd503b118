"""The owner looks at 「分析」 on a tablet: five charts, each with its table, at both orientations."""

import pytest
from playwright.sync_api import expect

from tests.factories import make_sheet_response
from tests.test_analytics import a_year_of_visits

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", [(820, 1180), (1180, 820)], ids=["portrait", "landscape"])
def test_the_owner_sees_charts_beside_their_numbers(
    live_server, tablet, salon_a, own_storage, screenshot, size
):
    a_year_of_visits(salon_a)
    make_sheet_response(salon_a)  # sent today: this month's bar
    page = tablet
    page.set_viewport_size({"width": size[0], "height": size[1]})
    log_in(page, live_server, "salon-a-owner", "pw-owner-123")
    page.get_by_role("link", name="サロン管理").click()
    page.get_by_role("link", name="分析").click()
    charts = page.locator("svg.chart")
    expect(charts).to_have_count(5)
    repeat = page.locator("section", has_text="90日以内の再来店")
    expect(repeat.get_by_role("img", name="90日以内の再来店")).to_be_visible()
    expect(repeat.locator(".series-linked circle")).not_to_have_count(0)
    expect(repeat.get_by_role("table")).to_contain_text("1 / 1")
    sheets = page.locator("section", has_text="問診票の受付数")
    expect(sheets.locator(".series-sheets rect")).to_have_count(12)
    expect(sheets.get_by_role("table")).to_contain_text("1")
    for chart in charts.all():
        box = chart.bounding_box()
        assert box and box["width"] >= 300 and box["x"] + box["width"] <= size[0]  # readable, on screen
    screenshot(page, f"33-analytics-{size[0]}x{size[1]}", full_page=True)
