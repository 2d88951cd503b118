"""Staff post a notice to everyone and one to a single customer; the phones show them with New
badges and an unread count, and the salon sees who read what."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import make_notice

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_notices_reach_the_right_phones_with_new_badges_and_view_counts(
    live_server, tablet, salon_a, link_phone, screenshot
):
    past = timezone.now() - datetime.timedelta(days=30)
    make_notice(salon_a, title="終わったお知らせ", starts_at=past, ends_at=past + datetime.timedelta(days=1))
    staff = tablet
    log_in(staff, live_server, "salon-a-owner", "pw-owner-123")

    staff.get_by_role("link", name="お知らせ").click()
    staff.get_by_role("link", name="全体告知を作成").click()
    staff.get_by_label("タイトル").fill("年末年始の営業")
    staff.get_by_label("本文").fill("12/31〜1/3はお休みです。\n詳しくは https://example.jp/ をご覧ください。")
    expect(staff.locator("[data-audience]")).to_contain_text("アプリを連携しているお客様全員に表示されます")
    staff.get_by_role("button", name="プレビュー").click()
    expect(staff.locator(".notice-preview .notice-view__body a")).to_have_attribute(
        "href", "https://example.jp/"
    )
    screenshot(staff, "12-staff-notice-preview", full_page=True)
    staff.get_by_role("button", name="投稿する").click()
    expect(staff.locator(".message")).to_contain_text("お知らせを投稿しました")

    staff.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/")
    staff.get_by_role("link", name="お知らせを送る").click()
    expect(staff.locator(".notice-form")).to_have_attribute("data-ready", "true")
    staff.get_by_role("button", name="来店のお礼").click()
    expect(staff.get_by_label("本文")).to_have_value(
        "森川 紗季様、本日はサロンAにご来店いただきありがとうございました。\n"
        "新しいスタイルはいかがでしょうか。気になる点がございましたらお気軽にご連絡ください。\n"
        "またのご来店を心よりお待ちしております。"
    )
    staff.get_by_label("タイトル").fill("ご来店ありがとうございました")
    staff.get_by_role("button", name="投稿する").click()
    expect(staff.locator(".message")).to_contain_text("お知らせを投稿しました")
    expect(staff).to_have_url(f"{live_server.url}/customers/{salon_a.customer.pk}/")  # back where it began

    phone = link_phone(salon_a, salon_a.customer)
    tab = phone.get_by_role("navigation", name="アプリのメニュー").get_by_role("link", name="お知らせ")
    expect(tab.locator("[data-unread-badge]")).to_have_text("2")
    tab.click()
    cards = phone.locator(".notice-card")
    expect(cards).to_have_count(2)
    expect(phone.locator(".notice-card--unread [data-new]")).to_have_count(2)
    expect(phone.get_by_text("終わったお知らせ")).to_have_count(0)
    screenshot(phone, "13-phone-notices")

    phone.get_by_role("link", name="ご来店ありがとうございました").click()
    expect(phone.locator(".notice-view__body")).to_contain_text("ありがとうございました")
    expect(tab.locator("[data-unread-badge]")).to_have_text("1")
    screenshot(phone, "14-phone-notice")
    phone.get_by_role("link", name="お知らせ一覧").click()
    thanks = phone.locator(".notice-card", has_text="ご来店ありがとうございました")
    expect(thanks.locator("[data-new]")).to_have_count(0)
    expect(phone.locator(".notice-card", has_text="年末年始の営業").locator("[data-new]")).to_have_count(1)
    expect(tab.locator("[data-unread-badge]")).to_have_text("1")

    staff.goto(f"{live_server.url}/notices/")
    row = staff.locator("tr", has_text="ご来店ありがとうございました")
    expect(row.locator("[data-views]")).to_have_text("1")
    expect(row).to_contain_text("1 / 1")
    expect(staff.locator("tr", has_text="年末年始の営業").locator("[data-views]")).to_have_text("0")
    expect(staff.locator("tr", has_text="終わったお知らせ")).to_contain_text("終了")
    screenshot(staff, "15-staff-notice-list", full_page=True)

    other = link_phone(salon_a, salon_a.other_customer)
    other.get_by_role("link", name="お知らせ").click()
    expect(other.get_by_text("年末年始の営業")).to_be_visible()
    expect(other.get_by_text("ご来店ありがとうございました")).to_have_count(0)


def _kept(phone):
    """Every cache of the app and what it holds, read in the service worker itself."""
    return [
        worker.evaluate(
            """async () => Promise.all((await caches.keys()).map(async (name) =>
                [name, (await (await caches.open(name)).keys()).map((request) => request.url)]))"""
        )
        for worker in phone.context.service_workers
    ]


def test_a_notice_read_offline_is_counted_when_the_phone_is_back_online(live_server, salon_a, link_phone):
    from django_scopes import scope

    from notices.models import NoticeRead

    notice = make_notice(salon_a, title="オフラインで読むお知らせ")
    phone = link_phone(salon_a, salon_a.customer)
    phone.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=45_000)
    phone.get_by_role("link", name="お知らせ").click()
    phone.wait_for_function(
        """async (url) => (await (await caches.open("karte-personal-salon-a")).match(url)) !== undefined""",
        arg=f"{live_server.url}/s/salon-a/app/notices/{notice.pk}/",
    )

    phone.context.set_offline(True)
    phone.get_by_role("link", name="オフラインで読むお知らせ").click()
    try:
        expect(phone.locator(".notice-view__title")).to_have_text("オフラインで読むお知らせ")
    except AssertionError as error:
        raise AssertionError(f"{error}\nwhat the service worker keeps: {_kept(phone)}") from None
    expect(phone.locator(".offline-mark")).to_be_visible()
    with scope(salon=salon_a.salon):
        assert not NoticeRead.objects.exists()

    phone.context.set_offline(False)
    phone.wait_for_function("() => localStorage.getItem('karte-pending-reads-salon-a') === '[]'")
    with scope(salon=salon_a.salon):
        assert NoticeRead.objects.filter(notice=notice, customer=salon_a.customer).count() == 1
