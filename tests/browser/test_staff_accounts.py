"""Passkeys in real Chromium with its virtual authenticator (DevTools protocol, WebAuthn domain):
an owner adds one when asked at login, logs in with it alone, loses it and gets back in with a
recovery code. At iPad portrait and landscape, axe-clean, screenshots for the README."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Passkey

from .conftest import TABLET
from .test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [pytest.param(TABLET, id="portrait"), pytest.param({"width": 1180, "height": 820}, id="landscape")]


def _authenticator(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    options = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }
    return cdp, cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})["authenticatorId"]


def _password(page, base):
    page.goto(f"{base}/login/")
    page.get_by_label("ユーザー名").fill("salon-a-owner")
    page.get_by_label("パスワード").fill("pw-owner-123")
    page.get_by_role("button", name="ログイン", exact=True).click()


@pytest.mark.parametrize("size", SIZES)
def test_a_passkey_logs_in_and_a_lost_one_is_replaced_by_a_recovery_code(
    browser, live_server, salon_a, screenshot, size
):
    assert live_server.url.startswith("http://localhost:")  # a passkey needs a domain, not an address
    salon_a.owner.user.email = "owner@salon-a.example.jp"
    salon_a.owner.user.save()
    context = browser.new_context(viewport=size, locale="ja-JP", timezone_id="Asia/Tokyo")
    context.set_default_timeout(15_000)
    errors = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        cdp, authenticator = _authenticator(page)
        base = live_server.url
        orientation = "portrait" if size["width"] < size["height"] else "landscape"

        # Asked at login, the owner adds a passkey on this iPad.
        _password(page, base)
        page.wait_for_url("**/account/two-factor/**")
        assert violations(page) == []
        screenshot(page, f"41-two-factor-asked-{orientation}", full_page=True)
        page.get_by_role("button", name="この端末にパスキーを追加").click()
        codes_list = page.locator("[data-recovery-codes] code")
        expect(codes_list).to_have_count(10)
        codes = codes_list.all_inner_texts()
        assert all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}", code) for code in codes)
        assert Passkey.objects.filter(user=salon_a.owner.user).count() == 1
        page.get_by_role("link", name="保管しました").click()
        page.wait_for_url("**/customers/")

        # Next time: the passkey alone, no password typed.
        page.get_by_role("button", name="ログアウト").click()
        page.wait_for_url("**/login/")
        page.get_by_role("button", name="パスキーでログイン").click()
        page.wait_for_url("**/customers/")
        expect(page.locator(".topbar__name")).to_have_text(salon_a.owner.display_name)

        # The password alone no longer opens the account.
        page.get_by_role("button", name="ログアウト").click()
        page.wait_for_url("**/login/")
        cdp.send(
            "WebAuthn.removeVirtualAuthenticator", {"authenticatorId": authenticator}
        )  # the iPad is lost
        _password(page, base)
        page.wait_for_url("**/login/verify/")
        assert violations(page) == []
        screenshot(page, f"42-login-second-step-{orientation}", full_page=True)
        assert page.goto(f"{base}/customers/").url.startswith(f"{base}/login/")

        # With a recovery code instead, once.
        _password(page, base)
        page.get_by_label("コード").fill(codes[0])
        page.get_by_role("button", name="ログイン", exact=True).click()
        page.wait_for_url("**/customers/")
        subjects = [message.subject for message in mail.outbox]  # Django's test outbox (locmem)
        assert "Karte のログインにパスキーが追加されました" in subjects
        assert "Karte のリカバリーコードが使われました" in subjects
    finally:
        context.close()
    assert errors == []


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_pages_a_mailed_link_opens_have_no_serious_accessibility_problems(
    browser, live_server, salon_a, language
):
    from urllib.parse import urlparse

    from django.urls import reverse

    from accounts.services import invitation_send
    from accounts.tokens import account_token

    invited = invitation_send(
        salon=salon_a.salon, actor=None, display_name="新人", email="new@example.jp", role="stylist",
        base_url=live_server.url,
    )  # fmt: skip
    pages = [
        reverse("password_forgot"),
        reverse("password_reset", kwargs={"token": account_token(salon_a.owner.user, "reset")}),
        reverse("invitation_accept", kwargs={"token": account_token(invited.user, "invite")}),
        reverse("password_reset", kwargs={"token": "not-a-link"}),
    ]
    context = browser.new_context(viewport=TABLET, locale="ja-JP", timezone_id="Asia/Tokyo")
    try:
        page = context.new_page()
        host = urlparse(live_server.url).hostname
        context.add_cookies([{"name": "django_language", "value": language, "domain": host, "path": "/"}])
        found = {}
        for path in pages:
            page.goto(live_server.url + path)
            assert page.locator("html").get_attribute("lang") == language
            if problems := violations(page):
                found[path] = problems
        page.goto(live_server.url + reverse("password_forgot"))
        page.get_by_role("button").last.click()  # sent empty: the message, and still clean
        if problems := violations(page):
            found["forgot, sent empty"] = problems
        assert found == {}
    finally:
        context.close()
