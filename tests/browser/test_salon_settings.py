"""The owner on a tablet names the app and sees its home-screen icon change as they type, finds a time
zone by searching, and saves."""

import pytest
from playwright.sync_api import expect

from salons.models import Salon

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", [(820, 1180), (1180, 820)], ids=["portrait", "landscape"])
def test_the_owner_names_the_app_with_a_live_preview(live_server, tablet, salon_a, screenshot, size):
    page = tablet
    page.set_viewport_size({"width": size[0], "height": size[1]})
    log_in(page, live_server, "salon-a-owner", "pw-owner-123")
    page.goto(f"{live_server.url}/salon/settings/")
    icon = page.locator("[data-icon-preview]")
    expect(page.locator("[data-title-preview]")).to_have_text("サロンA")
    before = icon.get_attribute("src")

    page.get_by_label("アプリ名").fill("はなサロン")
    expect(page.locator("[data-title-preview]")).to_have_text("はなサロン")
    expect(icon).not_to_have_attribute("src", before)  # redrawn with the new initial
    expect(icon).to_have_js_property("complete", True)
    assert icon.evaluate("image => image.naturalWidth") == 180  # a real picture came back

    # The 600 zones narrow to what is typed; the likely ones come first anyway.
    page.get_by_placeholder("タイムゾーンを検索（例: Tokyo）").fill("seoul")
    zones = page.locator("#id_timezone")
    expect(zones).to_have_value("Asia/Seoul")
    assert zones.evaluate("select => [...select.options].filter(option => !option.hidden).length") == 1
    screenshot(page, f"18-salon-settings-{'portrait' if size[0] < size[1] else 'landscape'}", full_page=True)

    page.get_by_role("button", name="保存").click()
    expect(page.locator(".message")).to_contain_text("サロン設定を保存しました")
    salon = Salon.objects.get(pk=salon_a.salon.pk)
    assert (salon.app_name, salon.timezone) == ("はなサロン", "Asia/Seoul")
