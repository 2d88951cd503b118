"""At the counter: staff show two QR codes on the tablet, the customer's phone opens the app,
scans the second code with the app's own scanner, and from then on sees exactly what staff
make public — until staff unpublish it or unlink the phone."""

import pytest
from playwright.sync_api import expect

from .camera import qr_png_to_y4m
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def karte(salon_a):
    from tests.factories import make_karte

    return make_karte(salon_a, public_text=True, text="次回は6週間後がおすすめです。")


def show_codes(page, live_server, salon_a):
    log_in(page, live_server, "salon-a-owner", "pw-owner-123")
    page.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/")
    page.get_by_role("button", name="QRコード表示").click()
    page.get_by_role("button", name="QRコード生成").click()
    expect(page.locator("#qr-step2 svg")).to_be_visible()
    return page.locator(".qr-url").inner_text().strip()


def test_scan_link_see_public_items_then_unpublish_and_unlink(
    live_server, tablet, open_phone, salon_a, karte, tmp_path, screenshot
):
    staff = tablet
    app_url = show_codes(staff, live_server, salon_a)
    assert app_url == f"{live_server.url}/s/salon-a/app/"
    screenshot(staff, "06-staff-qr-codes", full_page=True)
    video = qr_png_to_y4m(staff.locator("#qr-step2 svg").screenshot(), tmp_path / "step2.y4m")

    phone = open_phone(video=video)
    phone.goto(app_url)
    expect(
        phone.get_by_role("heading", name="まず、このアプリをホーム画面に追加してください")
    ).to_be_visible()
    expect(phone.get_by_text("「ホーム画面に追加」をタップします。")).to_be_visible()
    screenshot(phone, "07-phone-add-to-home-screen", full_page=True)
    phone.get_by_role("button", name="QRコードをスキャン").click()

    expect(phone.get_by_role("heading", name="森川 紗季様")).to_be_visible()
    screenshot(phone, "08-phone-karte-list")
    expect(staff.locator(".linked")).to_contain_text("連携済み")
    expect(staff.locator(".linked")).to_contain_text("Android / Chrome")

    phone.locator(".karte-card").first.click()
    expect(phone.get_by_text("次回は6週間後がおすすめです。")).to_be_visible()
    expect(phone.locator(".cv-item--photo")).to_have_count(0)
    screenshot(phone, "09-phone-karte")

    # Staff make the text private: the phone's next request no longer has it.
    staff.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/")
    staff.locator(".item-tile--text .state").click()
    expect(staff.locator(".item-tile--text .state")).to_have_text("非公開")
    phone.reload()
    expect(phone.locator(".cv-karte__date")).to_be_visible()
    expect(phone.get_by_text("次回は6週間後がおすすめです。")).to_have_count(0)

    # Staff unlink the phone: it is sent back to the link screen.
    staff.on("dialog", lambda dialog: dialog.accept())
    staff.get_by_role("button", name="解除").click()
    expect(staff.locator(".message")).to_contain_text("連携を解除しました")
    phone.goto(app_url)
    expect(phone.get_by_text("この端末の連携は解除されました。")).to_be_visible()
    screenshot(phone, "10-phone-unlinked", full_page=True)


@pytest.mark.parametrize(
    ("has_camera", "message"),
    [(True, "カメラを使えません。"), (False, "カメラが見つかりません。")],
    ids=["permission-denied", "no-camera"],
)
def test_without_the_camera_the_number_links_the_phone(
    live_server, tablet, open_phone, salon_a, karte, tmp_path, has_camera, message
):
    show_codes(tablet, live_server, salon_a)
    number = tablet.locator(".numeric-code strong").inner_text()
    video = (
        qr_png_to_y4m(tablet.locator("#qr-step1 svg").screenshot(), tmp_path / "any.y4m")
        if has_camera
        else None
    )
    phone = open_phone(video=video, camera_allowed=False)
    phone.goto(f"{live_server.url}/s/salon-a/app/")
    phone.get_by_role("button", name="QRコードをスキャン").click()
    expect(phone.locator("#link-error")).to_contain_text(message)
    expect(phone.get_by_label("または8桁の番号を入力")).to_be_focused()
    phone.get_by_label("または8桁の番号を入力").fill(number)
    phone.get_by_role("button", name="連携する").click()
    expect(phone.get_by_role("heading", name="森川 紗季様")).to_be_visible()


def test_the_app_opens_offline_and_forgets_everything_when_unlinked(
    live_server, tablet, open_phone, salon_a, karte, screenshot
):
    show_codes(tablet, live_server, salon_a)
    number = tablet.locator(".numeric-code strong").inner_text()
    phone = open_phone(video=None, camera_allowed=False)
    phone.goto(f"{live_server.url}/s/salon-a/app/")
    phone.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=45_000)
    phone.get_by_label("または8桁の番号を入力").fill(number)
    phone.get_by_role("button", name="連携する").click()
    phone.locator(".karte-card").first.click()
    expect(phone.get_by_text("次回は6週間後がおすすめです。")).to_be_visible()
    expect(phone.locator(".offline-mark")).to_be_hidden()

    phone.context.set_offline(True)
    phone.reload()
    expect(phone.get_by_text("次回は6週間後がおすすめです。")).to_be_visible()
    expect(phone.locator(".offline-mark")).to_be_visible()
    expect(phone.locator(".offline-mark")).to_contain_text("オフライン")
    screenshot(phone, "11-phone-offline")
    # A page never opened on this phone: the salon's offline page says so, and leads back to the list.
    phone.goto(f"{live_server.url}/s/salon-a/app/salon/")
    expect(phone.get_by_role("heading", name="このページはまだこの端末に保存されていません")).to_be_visible()
    expect(phone).to_have_url(f"{live_server.url}/s/salon-a/app/salon/")
    screenshot(phone, "58-phone-offline-not-kept")
    phone.get_by_role("link", name="カルテ一覧に戻る").click()
    expect(phone.locator(".karte-card").first).to_be_visible()
    phone.context.set_offline(False)

    phone.get_by_role("link", name="設定").click()
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.get_by_role("button", name="この端末の連携を解除").click()
    expect(phone.get_by_text("この端末の連携は解除されました。")).to_be_visible()
    cached = phone.evaluate(
        """async () => {
            const cache = await caches.open("karte-personal-salon-a");
            return (await cache.keys()).map((request) => request.url);
        }"""
    )
    assert not any("/kartes/" in url or "/images/" in url for url in cached), cached


@pytest.mark.parametrize("size", [(820, 1180), (1180, 820)], ids=["portrait", "landscape"])
def test_the_qr_codes_are_big_enough_to_scan_across_a_counter(live_server, tablet, salon_a, size):
    tablet.set_viewport_size({"width": size[0], "height": size[1]})
    show_codes(tablet, live_server, salon_a)
    # The drawn modules, not just the box around them.
    first = tablet.locator("#qr-step1 svg path").bounding_box()
    second = tablet.locator("#qr-step2 svg path").bounding_box()
    assert first and second
    assert first["width"] >= 240 and second["width"] >= 240, (first, second)
    assert second["width"] >= first["width"]  # the code the app scans is never the smaller
