"""From the Step 1 QR code to the first shared karte, counting the customer's scans and taps.

Path A — phones whose installed app shares the browser's cookies (Android) or gets a copy of them
(iOS 17.2 and later): Step 1 alone links; the app then arrives linked.
Path B — phones whose installed app starts unlinked (older iPhones): Step 1 links the browser, and
the app scans Step 2. The phone's own 「ホーム画面に追加」 taps are the phone's, not counted here.

The phone's camera app is played by zxing-wasm (served from our origin) reading a screenshot of the
tablet's QR code, then opening the address it holds, as a camera app does.
"""

import base64

import pytest
from playwright.sync_api import expect

from tests.factories import make_karte

from .camera import qr_png_to_y4m
from .conftest import PHONE, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DECODE = """async ({ png, wasm }) => {
  const { prepareZXingModule, readBarcodes } = window.ZXingWASM;
  const locateFile = (path, prefix) => (path.endsWith(".wasm") ? wasm : prefix + path);
  prepareZXingModule({ overrides: { locateFile } });
  const bytes = Uint8Array.from(atob(png), (ch) => ch.charCodeAt(0));
  const [result] = await readBarcodes(new Blob([bytes], { type: "image/png" }), { formats: ["QRCode"] });
  return result ? result.text : null;
}"""


@pytest.fixture
def camera_app(browser, live_server):
    """Reads a QR code as a phone's camera app would, and gives back the address in it."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/salon-a/app/")  # any page of ours that loads zxing-wasm
    page.wait_for_function("() => window.ZXingWASM !== undefined")
    wasm = page.locator("#scan-button").get_attribute("data-wasm-url")

    def read(png: bytes) -> str:
        text = page.evaluate(DECODE, {"png": base64.b64encode(png).decode(), "wasm": wasm})
        assert text, "the QR code could not be read"
        return text

    yield read
    context.close()


def show_codes(page, live_server, world):
    log_in(page, live_server, "salon-a-owner", "pw-owner-123")
    page.goto(f"{live_server.url}/customers/{world.customer.pk}/")
    page.get_by_role("button", name="QRコード表示").click()
    page.get_by_role("button", name="QRコード生成").click()
    expect(page.locator("#qr-step1 svg")).to_be_visible()


def test_path_a_one_scan_and_one_tap(live_server, tablet, open_phone, salon_a, camera_app, screenshot):
    make_karte(salon_a, public_text=True, text="次回は6週間後がおすすめです。")
    show_codes(tablet, live_server, salon_a)
    scans = taps = 0
    phone = open_phone()
    address = camera_app(tablet.locator("#qr-step1 svg").screenshot())
    scans += 1
    assert "#link=" in address
    phone.goto(address)  # the camera app opens it in the browser
    expect(phone.get_by_role("heading", name="森川 紗季様")).to_be_visible()
    assert "#" not in phone.url  # the code left the address bar
    expect(tablet.locator("#step1-status")).to_contain_text("連携済み")
    # The installed app shares the browser's cookies: it opens linked.
    phone.goto(f"{live_server.url}/s/salon-a/app/")
    expect(phone.get_by_role("heading", name="森川 紗季様")).to_be_visible()
    phone.locator(".karte-card").first.click()
    taps += 1
    expect(phone.get_by_text("次回は6週間後がおすすめです。")).to_be_visible()
    screenshot(phone, "32-phone-linked-in-one-scan")
    assert (scans, taps) == (1, 1)


def test_path_b_the_app_that_starts_unlinked_scans_step_2(
    live_server, tablet, open_phone, salon_a, camera_app, tmp_path
):
    make_karte(salon_a, public_text=True, text="次回は6週間後がおすすめです。")
    show_codes(tablet, live_server, salon_a)
    scans = taps = 0
    browser_tab = open_phone()
    browser_tab.goto(camera_app(tablet.locator("#qr-step1 svg").screenshot()))
    scans += 1
    expect(browser_tab.get_by_role("heading", name="森川 紗季様")).to_be_visible()
    # The tablet says the browser is linked, and keeps Step 2 on screen for the home-screen app, which
    # has cookies of its own and so starts unlinked.
    expect(tablet.locator("#step1-status")).to_contain_text("連携済み")
    expect(tablet.locator("#qr-step2 svg")).to_be_visible()
    step2 = qr_png_to_y4m(tablet.locator("#qr-step2 svg").screenshot(), tmp_path / "step2.y4m")
    app = open_phone(video=step2)
    app.goto(f"{live_server.url}/s/salon-a/app/")
    app.get_by_role("button", name="QRコードをスキャン").click()
    taps += 1
    scans += 1  # the app's scanner reads Step 2 through the camera (slower on a busy machine)
    expect(app.get_by_role("heading", name="森川 紗季様")).to_be_visible(timeout=45_000)
    app.locator(".karte-card").first.click()
    taps += 1
    expect(app.get_by_text("次回は6週間後がおすすめです。")).to_be_visible()
    expect(tablet.locator(".linked")).to_contain_text("連携済み")  # Step 2 used: the panel is done
    assert (scans, taps) == (2, 2)


def test_a_used_step_1_code_says_so_and_offers_the_other_ways(
    live_server, tablet, open_phone, salon_a, camera_app
):
    show_codes(tablet, live_server, salon_a)
    address = camera_app(tablet.locator("#qr-step1 svg").screenshot())
    first = open_phone()
    first.goto(address)
    expect(first.get_by_role("heading", name="森川 紗季様")).to_be_visible()
    second = open_phone()
    second.goto(address)  # the same QR code, a second phone
    expect(second.locator("#link-error")).to_contain_text("このコードはすでに使われています。")
    expect(second.get_by_role("button", name="QRコードをスキャン")).to_be_visible()


@pytest.mark.parametrize("size", [(390, 844), (412, 915)], ids=["iphone", "android"])
def test_a_browser_linked_by_one_scan_is_shown_how_to_add_the_app(
    live_server, tablet, open_phone, salon_a, camera_app, size, screenshot
):
    show_codes(tablet, live_server, salon_a)
    phone = open_phone()
    phone.set_viewport_size({"width": size[0], "height": size[1]})
    phone.goto(camera_app(tablet.locator("#qr-step1 svg").screenshot()))
    expect(phone.get_by_role("heading", name="森川 紗季様")).to_be_visible()
    guide = phone.locator("[data-install-guide]")
    expect(guide.get_by_role("heading", name="ホーム画面に追加しましょう")).to_be_in_viewport()
    expect(guide).to_contain_text("「ホーム画面に追加」をタップします。")
    screenshot(phone, f"33-linked-install-guide-{size[0]}")
    guide.get_by_role("button", name="案内を閉じる").click()
    expect(guide).to_have_count(0)
    phone.reload()
    expect(phone.get_by_role("heading", name="森川 紗季様")).to_be_visible()
    expect(phone.locator("[data-install-guide]")).to_have_count(0)  # once: closed stays closed
