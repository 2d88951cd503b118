"""「カメラで撮影」 in the karte editor, in Chromium with a fake camera playing a prepared clip (the
fake camera is the only stand-in: the page, its getUserMedia, the upload queue and the server are
real). Three angles are shot at iPad portrait and landscape, one retaken, each used photo lands as a
private photo item with the angle chosen in the camera, the karte saves with them, and the customer
page sets this visit's front against the last visit's. A shot taken offline waits in the upload
queue and the karte saves with it once the tablet is back online."""

import contextlib
import datetime
import statistics
import time
import uuid
from pathlib import Path

import pytest
from django_scopes import scope
from PIL import Image, ImageDraw, ImageFilter
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from kartes.models import ImageAsset, KarteItem, PhotoAngle
from kartes.services import ItemInput, image_asset_create, karte_create
from tests.factories import image_bytes

from .camera import frame_to_y4m
from .conftest import CHROMIUM, CHROMIUM_ARGS, log_in
from .test_accessibility import violations

WIDTH, HEIGHT = 1280, 960


def portrait_clip(path: Path, frames: int = 6, blur: float = 0, light: float = 1.0) -> Path:
    """A head-and-shoulders shape on a wall, with a camera's grain so that a shot weighs what a
    photo does, as a .y4m clip the fake camera loops; blurred or darkened when asked."""
    frame = Image.new("RGB", (WIDTH, HEIGHT), (214, 206, 196))
    draw = ImageDraw.Draw(frame)
    draw.ellipse((500, 180, 780, 520), fill=(226, 186, 160))  # face
    draw.pieslice((440, 120, 840, 600), 180, 360, fill=(70, 48, 36))  # hair
    draw.rectangle((400, 600, 880, 960), fill=(60, 80, 120))  # shoulders
    grain = Image.effect_noise((WIDTH, HEIGHT), 24).convert("RGB")
    frame = Image.blend(frame, grain, 0.12)
    if blur:
        frame = frame.filter(ImageFilter.GaussianBlur(blur))
    if light != 1.0:
        frame = frame.point(lambda value: int(value * light))
    return frame_to_y4m(frame, path, frames)


def _camera_browser(playwright, clip: Path):
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={clip}",
        "--use-fake-ui-for-media-stream",  # the camera permission granted, as staff would
    ]
    return playwright.chromium.launch(executable_path=CHROMIUM, args=args)


@pytest.fixture
def camera_browser(playwright, tmp_path):
    browser = _camera_browser(playwright, portrait_clip(tmp_path / "portrait.y4m"))
    yield browser
    browser.close()


def _open_camera(page) -> float:
    """Taps 「カメラで撮影」; returns the seconds until the first frame is on screen."""
    started = time.perf_counter()
    page.get_by_role("button", name="カメラで撮影").click()
    dialog = page.locator("#camera-dialog")
    expect(dialog).to_have_attribute("data-ready", "true")
    page.wait_for_function("() => document.querySelector('.camera-dialog__live').videoWidth > 0")
    return time.perf_counter() - started


IPAD_PORTRAIT, IPAD_LANDSCAPE = {"width": 820, "height": 1180}, {"width": 1180, "height": 820}
ANGLES = ["正面", "右サイド", "バック"]


def _earlier_visit(world, angle: str, day: datetime.date, colour) -> ImageAsset:
    """A visit before today's with one after photo of the angle; its image."""
    with scope(salon=world.salon):
        chosen = PhotoAngle.objects.get(name=angle)
        asset, _new = image_asset_create(
            salon=world.salon, user=world.owner.user, upload_key=uuid.uuid4(),
            data=image_bytes(size=(1280, 960), color=colour), kind="photo", copies_now=True,
        )  # fmt: skip
        karte_create(
            salon=world.salon, actor=world.owner.user, customer=world.customer, staff=world.owner,
            treatment_date=day, menu="カット",
            items=[ItemInput(kind="photo", image=asset, photo_tag="after", angle=chosen)],
        )  # fmt: skip
    return asset


@pytest.mark.parametrize("viewport", [IPAD_PORTRAIT, IPAD_LANDSCAPE], ids=["portrait", "landscape"])
def test_photos_taken_in_the_editor_land_as_items_with_their_angle(
    live_server, camera_browser, salon_a, viewport, screenshot
):
    context = camera_browser.new_context(viewport=viewport, locale="ja-JP", timezone_id="Asia/Tokyo")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    last_front = _earlier_visit(salon_a, "正面", datetime.date(2026, 10, 1), colour=(120, 90, 70))
    try:
        log_in(page, live_server, "salon-a-owner", "pw-owner-123")
        page.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/kartes/new/")
        expect(page.locator("#karte-form")).to_have_attribute("data-ready", "true")
        opened = [_open_camera(page)]
        dialog = page.locator("#camera-dialog")
        box = dialog.get_by_role("button", name="撮影する").bounding_box()
        assert box is not None
        if viewport["width"] < viewport["height"]:
            assert box["y"] > viewport["height"] * 0.6  # the shutter near the bottom, under the thumb
        else:
            assert box["x"] > viewport["width"] * 0.6  # …and on the right in landscape
        orientation = "portrait" if viewport["width"] < viewport["height"] else "landscape"
        screenshot(page, f"52-camera-{orientation}")

        dialog.get_by_label("アングル").select_option(label="正面")
        dialog.get_by_role("button", name="撮影する").click()
        expect(dialog.locator("[data-camera-shutter]")).to_be_disabled()  # one tap, one shot
        # The JPEG is made when the browser has a moment: on a busy machine that takes seconds.
        expect(dialog.get_by_role("img", name="撮影した写真")).to_be_visible(timeout=15_000)
        dialog.get_by_role("button", name="この写真を使う").click()
        expect(dialog.locator("[data-camera-count]")).to_have_text("1枚撮影しました")

        dialog.get_by_label("アングル").select_option(label="右サイド")
        dialog.get_by_role("button", name="撮影する").click()
        dialog.get_by_role("button", name="撮り直す").click()
        expect(dialog.get_by_role("img", name="撮影した写真")).to_be_hidden()
        dialog.get_by_role("button", name="撮影する").click()
        dialog.get_by_role("button", name="この写真を使う").click()
        expect(dialog.locator("[data-camera-count]")).to_have_text("2枚撮影しました")
        dialog.get_by_label("アングル").select_option(label="バック")
        dialog.get_by_role("button", name="撮影する").click()
        dialog.get_by_role("button", name="この写真を使う").click()
        expect(dialog.locator("[data-camera-count]")).to_have_text("3枚撮影しました")
        dialog.get_by_role("button", name="完了").click()
        expect(dialog).to_be_hidden()

        photos = page.locator('.editor-item[data-kind="photo"]')
        expect(photos).to_have_count(3)
        for index, name in enumerate(ANGLES):
            expect(photos.nth(index)).to_have_attribute("data-upload", "done")
            expect(photos.nth(index).get_by_label("アングル").locator("option:checked")).to_have_text(name)
            expect(photos.nth(index).get_by_role("checkbox", name="公開")).not_to_be_checked()
        for _ in range(4):  # again, for the time to the first frame
            opened.append(_open_camera(page))
            dialog.get_by_role("button", name="完了").click()
        page.get_by_role("button", name="カルテを保存").click()
        expect(page.locator(".message")).to_contain_text("カルテを保存しました")
        with scope(salon=salon_a.salon):
            taken = KarteItem.objects.exclude(image=last_front).select_related("angle", "image")
            saved = list(taken.order_by("position"))
        assert [(str(item.angle), item.is_public) for item in saved] == [(name, False) for name in ANGLES]
        # The customer page sets this visit's front against the last visit's, never the side or back.
        compare = page.locator(".karte").first.locator(".compare")
        expect(compare.locator(".compare__stage img").first).to_have_attribute(
            "src", f"/images/{saved[0].image_id}/medium/"
        )
        expect(compare.locator(".compare__before")).to_have_attribute(
            "src", f"/images/{last_front.pk}/medium/"
        )
        expect(compare.locator("[data-compare-label]")).to_have_text("2026年10月1日")
        expect(compare.locator(".compare__angle")).to_have_text("正面")
        assert all((item.image.width, item.image.height) == (WIDTH, HEIGHT) for item in saved)
        sizes = [item.image.original_size for item in saved]
        print(
            f"\n{orientation}: camera to first frame p50 {statistics.median(opened) * 1000:.0f} ms "
            f"({len(opened)} opens); upload per shot {statistics.mean(sizes) / 1024:.0f} KB"
        )
        assert errors == []
    finally:
        context.close()


def test_without_a_camera_the_editor_says_so_and_photos_can_still_be_picked(live_server, tablet, salon_a):
    """The suite's ordinary browser has no camera device: getUserMedia fails."""
    page = tablet
    log_in(page, live_server, "salon-a-owner", "pw-owner-123")
    page.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/kartes/new/")
    expect(page.locator("#karte-form")).to_have_attribute("data-ready", "true")
    page.get_by_role("button", name="カメラで撮影").click()
    dialog = page.locator("#camera-dialog")
    expect(dialog.get_by_role("status")).to_contain_text("カメラを使えません")
    expect(dialog.get_by_role("button", name="撮影する")).to_be_disabled()
    dialog.get_by_role("button", name="完了").click()
    expect(page.locator("#photo-input")).to_be_attached()


@pytest.mark.parametrize(
    ("clip", "said"),
    [({"blur": 6}, "ピントが合っていないようです。"), ({"light": 0.18}, "暗すぎるようです。")],
    ids=["blurred", "dark"],
)
def test_a_blurred_or_dark_shot_is_pointed_out_and_can_still_be_used(
    live_server, playwright, tmp_path, salon_a, clip, said
):
    browser = _camera_browser(playwright, portrait_clip(tmp_path / "doubtful.y4m", **clip))
    try:
        page = browser.new_context(viewport=IPAD_PORTRAIT, locale="ja-JP").new_page()
        page.set_default_timeout(15_000)
        log_in(page, live_server, "salon-a-owner", "pw-owner-123")
        page.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/kartes/new/")
        expect(page.locator("#karte-form")).to_have_attribute("data-ready", "true")
        _open_camera(page)
        dialog = page.locator("#camera-dialog")
        dialog.get_by_role("button", name="撮影する").click()
        expect(dialog.get_by_role("status")).to_have_text(said)
        expect(dialog.get_by_role("button", name="撮り直す")).to_be_focused()
        dialog.get_by_role("button", name="このまま使う").click()
        expect(dialog.locator("[data-camera-message]")).to_be_empty()
        dialog.get_by_role("button", name="完了").click()
        expect(page.locator('.editor-item[data-kind="photo"]')).to_have_attribute("data-upload", "done")
    finally:
        browser.close()


def test_the_last_photo_of_the_angle_lies_over_the_live_picture_and_never_in_the_new_one(
    live_server, camera_browser, salon_a, screenshot
):
    asset = _earlier_visit(salon_a, "正面", datetime.date(2026, 10, 1), colour=(220, 20, 30))
    page = camera_browser.new_context(viewport=IPAD_PORTRAIT, locale="ja-JP").new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server, "salon-a-owner", "pw-owner-123")
    page.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/kartes/new/")
    expect(page.locator("#karte-form")).to_have_attribute("data-ready", "true")
    _open_camera(page)
    dialog = page.locator("#camera-dialog")
    ghost = dialog.locator("[data-camera-ghost]")
    expect(ghost).to_be_hidden()  # no angle chosen yet
    dialog.get_by_label("アングル").select_option(label="正面")
    expect(ghost).to_be_visible()
    expect(ghost).to_have_attribute("src", f"/images/{asset.pk}/large/")  # the staff-only copy
    expect(dialog.locator("[data-ghost-date]")).to_have_text("前回の写真：2026年10月1日")
    expect(ghost).to_have_css("opacity", "0.4")
    dialog.get_by_label("前回の写真の濃さ").fill("70")
    expect(ghost).to_have_css("opacity", "0.7")
    screenshot(page, "53-camera-ghost-portrait")
    assert violations(page) == []  # axe-core on the open camera, its ghost and controls
    page.set_viewport_size(IPAD_LANDSCAPE)
    expect(ghost).to_be_visible()
    screenshot(page, "53-camera-ghost-landscape")
    page.set_viewport_size(IPAD_PORTRAIT)
    dialog.get_by_label("輪郭").check()
    expect(ghost).to_be_hidden()
    expect(dialog.locator("[data-camera-outline]")).to_be_visible()
    dialog.get_by_label("輪郭").uncheck()
    dialog.get_by_label("アングル").select_option(label="右サイド")  # no earlier photo from the side
    expect(ghost).to_be_hidden()
    expect(dialog.locator("[data-ghost-controls]")).to_be_hidden()
    dialog.get_by_label("アングル").select_option(label="正面")
    expect(ghost).to_be_visible()
    dialog.get_by_role("button", name="撮影する").click()
    expect(dialog.get_by_role("img", name="撮影した写真")).to_be_visible(timeout=15_000)  # made when idle
    expect(ghost).to_be_hidden()  # the shot is looked at alone
    dialog.get_by_role("button", name="この写真を使う").click()
    dialog.get_by_role("button", name="完了").click()
    expect(page.locator('.editor-item[data-kind="photo"]')).to_have_attribute("data-upload", "done")
    new_id = page.locator('.editor-item[data-kind="photo"] input[name$="-image"]').input_value()
    with scope(salon=salon_a.salon):
        taken = ImageAsset.objects.get(pk=new_id)
        with taken.original.open("rb") as original:
            mean = Image.open(original).convert("RGB").resize((1, 1)).getpixel((0, 0))
    assert isinstance(mean, tuple)
    red, green, blue = mean
    assert red < green + 80, (red, green, blue)  # the camera's wall and face, not the red ghost
    assert errors == []
    page.context.close()


def test_an_angle_changed_while_the_last_photo_loads_shows_no_ghost_of_the_angle_before(
    live_server, camera_browser, salon_a
):
    asset = _earlier_visit(salon_a, "正面", datetime.date(2026, 10, 1), colour=(220, 20, 30))
    page = camera_browser.new_context(viewport=IPAD_PORTRAIT, locale="ja-JP").new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server, "salon-a-owner", "pw-owner-123")
    page.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/kartes/new/")
    expect(page.locator("#karte-form")).to_have_attribute("data-ready", "true")
    photo = f"**/images/{asset.pk}/large/"
    held = []
    page.route(photo, lambda route: held.append(route))  # the front's last photo comes when let
    _open_camera(page)
    dialog = page.locator("#camera-dialog")
    with page.expect_request(photo):
        dialog.get_by_label("アングル").select_option(label="正面")
    dialog.get_by_label("アングル").select_option(label="右サイド")  # before the front's photo is here
    for _tick in range(400):  # Playwright runs the route handler while the page is waited on
        if held:
            break
        page.wait_for_timeout(25)
    page.unroute(photo)
    with contextlib.suppress(PlaywrightError):  # the browser may have given it up with the angle
        held[0].continue_()
    expect(dialog.locator("[data-ghost-controls]")).to_be_hidden()
    expect(dialog.locator("[data-camera-ghost]")).to_be_hidden()
    dialog.get_by_label("アングル").select_option(label="正面")
    expect(dialog.locator("[data-camera-ghost]")).to_be_visible()
    assert errors == []
    page.context.close()


def test_a_photo_taken_offline_waits_in_the_upload_queue_and_the_karte_saves_with_it_once_online(
    live_server, camera_browser, salon_a
):
    page = camera_browser.new_context(viewport=IPAD_LANDSCAPE, locale="ja-JP").new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, live_server, "salon-a-owner", "pw-owner-123")
        page.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/kartes/new/")
        expect(page.locator("#karte-form")).to_have_attribute("data-ready", "true")
        _open_camera(page)
        page.context.set_offline(True)
        dialog = page.locator("#camera-dialog")
        dialog.get_by_label("アングル").select_option(label="トップ")
        dialog.get_by_role("button", name="撮影する").click()
        dialog.get_by_role("button", name="この写真を使う").click()
        dialog.get_by_role("button", name="完了").click()
        photo = page.locator('.editor-item[data-kind="photo"]')
        expect(photo).to_have_attribute("data-upload", "pending")  # kept in the queue while offline
        page.get_by_role("button", name="カルテを保存").click()
        expect(page.locator("#save-state")).to_contain_text("写真のアップロードが終わるのを待っています")
        page.context.set_offline(False)
        expect(page.locator(".message")).to_contain_text("カルテを保存しました", timeout=30_000)
        page.wait_for_load_state("networkidle")  # the customer page's photos answered before the flush
        with scope(salon=salon_a.salon):
            saved = list(KarteItem.objects.select_related("angle", "image"))
        assert [(str(item.angle), item.image.width) for item in saved] == [("トップ", WIDTH)]
    finally:
        page.context.close()
