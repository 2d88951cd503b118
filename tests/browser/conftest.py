"""Real Chromium (Debian's), driven by Playwright, against a live server."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.linking_helpers import issue

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body
# are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# What a page is expected to show is waited for as long as the pages' own actions (15 s), not
# Playwright's 5 s: two test processes and their browsers share two cores. A failure only takes longer.
expect.set_options(timeout=15_000)

CHROMIUM = os.environ.get("KARTE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TABLET = {"width": 820, "height": 1180}


@pytest.fixture(scope="session")
def playwright():
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "ja-JP",
    "timezone_id": "Asia/Tokyo",
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/130.0.0.0 Mobile Safari/537.36"
    ),
}


@pytest.fixture
def open_phone(playwright, tmp_path, live_server):
    """Start a phone: its own Chromium with a persistent profile, and a camera that films `video`."""
    contexts: list = []

    def start(video=None, camera_allowed=True):
        args = [*CHROMIUM_ARGS]
        if video is not None:
            args += ["--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"]
        if camera_allowed:
            args.append("--use-fake-ui-for-media-stream")
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / f"phone-profile-{len(contexts)}"), executable_path=CHROMIUM, args=args, **PHONE
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.pages[0] if context.pages else context.new_page()
        page.on("console", lambda message: _collect_csp(message, csp_errors))
        return page

    csp_errors: list[str] = []
    yield start
    for context in contexts:
        context.close()
    assert csp_errors == [], f"Content Security Policy violations: {csp_errors}"


@pytest.fixture
def tablet(browser, live_server):
    # Depends on live_server so the page closes before the server and its database go away.
    context = browser.new_context(
        viewport=TABLET, locale="ja-JP", timezone_id="Asia/Tokyo", device_scale_factor=1
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: _collect_csp(message, errors))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def _collect_csp(message, errors):
    if message.type == "error" and "Content Security Policy" in message.text:
        errors.append(message.text)


@pytest.fixture
def screenshot():
    """Saves a screenshot into docs/screenshots when KARTE_SCREENSHOTS=1 (make screenshots)."""

    def take(page, name, **kwargs):
        if os.environ.get("KARTE_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), **kwargs)

    return take


def log_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン", exact=True).click()
    past_login(page)


def past_login(page, landing=r".*/customers/$"):
    """After the login button: owners without a second factor are asked to set one up at each
    login; these tests answer 「今はしない」 (tests/test_accounts.py sets one up)."""
    page.wait_for_url(re.compile(rf"({landing})|(.*/account/two-factor/.*)"))
    if "/two-factor/" in page.url:
        page.get_by_role("link", name="今はしない").click()
    page.wait_for_url(re.compile(landing))


@pytest.fixture
def link_phone(browser, live_server):
    """Phones linked by typing the number; closed before the test's database goes away."""
    contexts = []

    def link(world, customer):
        context = browser.new_context(**PHONE)
        contexts.append(context)
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto(f"{live_server.url}/s/{world.salon.slug}/app/")
        # As on a real phone: the app is installed (its service worker in control) before linking.
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=45_000)
        page.get_by_label("または8桁の番号を入力").fill(issue(world, customer).numeric)
        page.get_by_role("button", name="連携する").click()
        expect(page.get_by_role("heading", name=f"{customer.name}様")).to_be_visible()
        return page

    yield link
    for context in contexts:
        context.close()
