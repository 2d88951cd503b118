"""The owner switches on the automatic follow-ups on a tablet; the customer's page shows what is
scheduled and staff cancel one."""

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from followups.models import FollowUp
from tests.factories import make_karte

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", [(820, 1180), (1180, 820)], ids=["portrait", "landscape"])
def test_the_owner_switches_follow_ups_on_and_staff_cancel_one(
    live_server, tablet, salon_a, screenshot, size
):
    make_karte(salon_a)
    page = tablet
    page.set_viewport_size({"width": size[0], "height": size[1]})
    log_in(page, live_server, "salon-a-owner", "pw-owner-123")
    page.get_by_role("link", name="サロン管理").click()
    page.get_by_role("link", name="自動フォロー").click()
    lapsed = page.locator("section.followup-rule", has_text="しばらくご来店のない方へ")
    lapsed.get_by_label("送る").check()
    lapsed.get_by_label("タイミング").fill("45")
    screenshot(page, f"31-followup-rules-{size[0]}x{size[1]}", full_page=True)
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".message")).to_contain_text("自動フォローを保存しました。")
    page.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/")
    section = page.locator("#followups")
    expect(section).to_contain_text("しばらくご来店のない方へ")
    page.once("dialog", lambda dialog: dialog.accept())
    section.get_by_role("button", name="取り消す").click()
    expect(page.locator(".message")).to_contain_text("自動フォローを取り消しました。")
    with scope(salon=salon_a.salon):
        assert FollowUp.objects.get(kind="lapsed").status == "cancelled"


def test_the_owner_sees_the_message_a_customer_will_get_as_they_type(
    live_server, tablet, salon_a, screenshot
):
    page = tablet
    log_in(page, live_server, "salon-a-owner", "pw-owner-123")
    page.goto(f"{live_server.url}/salon/followups/")
    thanks = page.locator("section.followup-rule").first
    preview = thanks.locator("[data-followup-preview]")
    # The first customer in あいうえお order (佐藤 美咲) and the salon, put in as they are sent.
    expect(preview).to_contain_text("佐藤 美咲様のアプリに届く内容")
    expect(preview.locator("[data-preview-body]")).to_have_text(
        "佐藤 美咲様、このたびはサロンAにご来店いただきありがとうございました。"
        "新しいスタイルをお楽しみください。"
    )
    thanks.get_by_label("タイトル").fill("{salon}より")
    thanks.get_by_label("本文").fill("{customer}\nまたのお越しをお待ちしております。")
    expect(preview.locator("[data-preview-title]")).to_have_text("サロンAより")
    expect(preview.locator("[data-preview-body]")).to_have_text(
        "佐藤 美咲様\nまたのお越しをお待ちしております。"
    )
    screenshot(page, "31-followup-preview")
