"""A stylist on a tablet: a new customer, a karte with a photo, a drawn illustration and a text
note, only the text made public; the history and the customer preview agree."""

import io
import re

import pytest
from django_scopes import scope
from PIL import Image
from playwright.sync_api import expect

from kartes.models import Karte
from menus.services import menu_preset_apply

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def photo_file(tmp_path):
    path = tmp_path / "IMG_0001.jpg"
    image = Image.new("RGB", (1600, 1200), (190, 140, 110))
    out = io.BytesIO()
    image.save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return path


def draw_stroke(page, points):
    canvas = page.locator("#draw-canvas")
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + points[0][0] * box["width"], box["y"] + points[0][1] * box["height"])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=5)
    page.mouse.up()


def test_a_karte_with_photo_illustration_and_text_publishes_only_the_text(
    live_server, tablet, salon_a, photo_file, screenshot
):
    with scope(salon=salon_a.salon):
        menu_preset_apply(salon=salon_a.salon, salon_type="hair")
    page = tablet
    log_in(page, live_server, "salon-a-owner", "pw-owner-123")
    screenshot(page, "01-customer-list")

    # A new customer.
    page.get_by_role("link", name="新規顧客").click()
    page.get_by_label("氏名").fill("中村 彩")
    page.get_by_label("ふりがな").fill("ナカムラ アヤ")
    page.get_by_label("携帯電話").fill("090-1234-5678")
    page.get_by_label("アレルギー・注意事項").fill("ジアミンアレルギー")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("中村 彩")

    # A karte: photo, illustration and text.
    page.get_by_role("link", name="新規カルテ").first.click()
    expect(page.locator("#karte-form")).to_have_attribute("data-ready", "true")
    expect(page.locator(".caution")).to_contain_text("ジアミンアレルギー")  # above the editor
    page.get_by_role("checkbox", name=re.compile(r"^カット ¥")).check()
    page.get_by_role("checkbox", name=re.compile(r"^トリートメント ¥")).check()
    expect(page.locator("[data-menu-total]")).to_have_text(re.compile(r"合計\s*¥8,800"))
    page.get_by_role("checkbox", name="指名").check()
    page.locator("#photo-input").set_input_files(str(photo_file))
    photo_item = page.locator('.editor-item[data-kind="photo"]')
    expect(photo_item).to_have_attribute("data-upload", "done")
    expect(photo_item.locator(".editor-item__preview")).to_have_attribute(
        "src", re.compile(r"^/images/.+/small/$")
    )

    page.get_by_role("button", name="イラストを描く").click()
    dialog = page.locator("#draw-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("下絵").select_option("head-front")
    dialog.get_by_role("button", name="赤").click()
    draw_stroke(page, [(0.3, 0.3), (0.4, 0.35), (0.5, 0.3), (0.6, 0.35)])
    draw_stroke(page, [(0.35, 0.6), (0.65, 0.6)])
    screenshot(page, "03-illustration")
    dialog.get_by_role("button", name="このイラストを使う").click()
    expect(dialog).to_be_hidden(timeout=15_000)  # it closes once the drawing is uploaded
    illustration = page.locator('.editor-item[data-kind="illustration"]')
    expect(illustration.locator('input[name$="-image"]')).not_to_have_value("")

    page.get_by_role("button", name="テキストを追加").click()
    text_item = page.locator('.editor-item[data-kind="text"]')
    text_item.get_by_label("テキスト").fill("次回は6週間後がおすすめです。")
    text_item.locator(".public-switch").click()
    expect(text_item.get_by_role("checkbox", name="公開")).to_be_checked()
    expect(photo_item.get_by_role("checkbox", name="公開")).not_to_be_checked()
    screenshot(page, "02-karte-editor", full_page=True)
    page.get_by_role("button", name="カルテを保存").click()

    # The history: text green 「公開」, photo and illustration red 「非公開」.
    expect(page.locator(".message")).to_contain_text("日のカルテを保存しました")  # no stray space
    karte = page.locator("article.karte").first
    tiles = karte.locator(".item-tile")
    expect(tiles).to_have_count(3)
    expect(karte.locator(".item-tile--text .state")).to_have_text("公開")
    expect(karte.locator(".item-tile--text .state")).to_have_class("state state--public")
    expect(karte.locator(".item-tile--text .state")).to_have_css("color", "rgb(23, 112, 61)")
    for kind in ("photo", "illustration"):
        expect(karte.locator(f".item-tile--{kind} .state")).to_have_text("非公開")
        expect(karte.locator(f".item-tile--{kind} .state")).to_have_css("color", "rgb(198, 47, 58)")
    screenshot(page, "04-karte-history", full_page=True)

    with scope(salon=salon_a.salon):
        saved = Karte.objects.get(customer__name="中村 彩")
        assert saved.menu == "カット、トリートメント" and saved.menu_total == 8800 and saved.nominated
        kinds = [(item.kind, item.is_public) for item in saved.items.all()]
        drawing = saved.items.get(kind="illustration").drawing
    assert kinds == [("photo", False), ("illustration", False), ("text", True)]
    assert drawing is not None and len(drawing) == 2 and drawing[0]["color"] == "#d62839"

    # The preview shows the text only.
    page.get_by_role("link", name="お客様の表示を確認").click()
    frame = page.frame_locator(".phone-frame iframe").locator("main")
    expect(frame).to_contain_text("次回は6週間後がおすすめです。")
    expect(frame).to_contain_text("担当: サロンA オーナー")
    expect(frame.locator("img")).to_have_count(0)
    screenshot(page, "05-customer-preview", full_page=True)


def test_one_tap_publishes_from_the_history(live_server, tablet, salon_a):
    from tests.factories import make_karte

    make_karte(salon_a)
    page = tablet
    log_in(page, live_server, "salon-a-stylist", "pw-stylist-123")
    page.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/")
    toggle = page.locator(".item-tile--photo .state")
    expect(toggle).to_have_text("非公開")
    toggle.click()
    expect(page.locator(".item-tile--photo .state")).to_have_text("公開")
    page.reload()
    expect(page.locator(".item-tile--photo .state")).to_have_text("公開")


def test_saving_a_karte_with_nothing_in_it_asks_first(live_server, tablet, salon_a):
    page = tablet
    log_in(page, live_server, "salon-a-stylist", "pw-stylist-123")
    page.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/kartes/new/")
    expect(page.locator("#karte-form")).to_have_attribute("data-ready", "true")
    asked = []

    def answer(dialog, accept):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.get_by_role("button", name="カルテを保存").click()
    expect(page.get_by_role("button", name="カルテを保存")).to_be_enabled()
    assert asked == ["メニューも項目もないカルテです。空のまま保存しますか？"]
    with scope(salon=salon_a.salon):
        assert not Karte.objects.exists()  # "Cancel": nothing was sent
    page.once("dialog", lambda dialog: answer(dialog, True))
    page.get_by_role("button", name="カルテを保存").click()
    expect(page.locator(".message")).to_contain_text("カルテを保存しました")
    with scope(salon=salon_a.salon):
        assert Karte.objects.count() == 1


def test_the_saved_karte_is_shown_below_the_sticky_top_bar(live_server, tablet, salon_a):
    """After saving, the page jumps to the karte (#karte-N); its heading must not sit under the bar."""
    import datetime

    from tests.factories import make_karte

    for day in range(1, 7):  # older visits below it, so that the page can scroll the karte to the top
        make_karte(salon_a, date=datetime.date(2026, 9, day))
    page = tablet
    log_in(page, live_server, "salon-a-stylist", "pw-stylist-123")
    page.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/kartes/new/")
    expect(page.locator("#karte-form")).to_have_attribute("data-ready", "true")
    page.get_by_label("その他のメニュー").fill("カット")
    page.get_by_role("button", name="カルテを保存").click()
    expect(page.locator(".message")).to_contain_text("のカルテを保存しました")
    with scope(salon=salon_a.salon):
        newest = Karte.objects.latest("pk")
    heading = page.locator(f"#karte-{newest.pk} .karte__date")
    expect(heading).to_be_in_viewport()
    bar, top = page.locator(".topbar").bounding_box(), heading.bounding_box()
    assert page.evaluate("window.scrollY") > 0  # the page did move to the karte
    assert bar and top and bar["y"] + bar["height"] <= top["y"] <= bar["y"] + bar["height"] + 80, (bar, top)


def test_a_photo_made_public_from_the_history_can_be_taken_back(live_server, tablet, salon_a):
    from tests.factories import make_karte

    karte = make_karte(salon_a)
    page = tablet
    page.clock.install()  # the toast's few seconds, run on a controlled clock
    log_in(page, live_server, "salon-a-stylist", "pw-stylist-123")
    page.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/")
    page.locator(".item-tile--photo .state").click()
    expect(page.locator(".item-tile--photo .state")).to_have_text("公開")
    toast = page.locator("[data-undo-toast]")
    expect(toast).to_contain_text("写真を公開しました")
    toast.get_by_role("button", name="元に戻す").click()
    expect(page.locator(".item-tile--photo .state")).to_have_text("非公開")
    expect(toast).to_have_count(0)
    with scope(salon=salon_a.salon):
        assert not karte.items.get(kind="photo").is_public

    # Left alone, the offer goes after a few seconds; the text item never offers one.
    page.locator(".item-tile--photo .state").click()
    expect(toast).to_be_visible()
    page.mouse.move(1, 1)  # away from the toast, which waits while a pointer rests on it
    page.clock.run_for(9000)
    expect(toast).to_have_count(0)
    page.locator(".item-tile--text .state").click()
    expect(page.locator(".item-tile--text .state")).to_have_text("公開")
    expect(toast).to_have_count(0)


@pytest.mark.parametrize("public", [True, False], ids=["public", "private"])
def test_before_after_slides_on_the_staff_page_and_in_the_preview(
    live_server, tablet, salon_a, public, screenshot
):
    import datetime
    import uuid

    from kartes.models import ImageKind, ItemKind, PhotoTag
    from kartes.services import ItemInput, image_asset_create, karte_create
    from tests.factories import image_bytes

    with scope(salon=salon_a.salon):
        before, after = (
            image_asset_create(salon=salon_a.salon, user=None, upload_key=uuid.uuid4(), data=image_bytes(),
                kind=ImageKind.PHOTO, copies_now=True)[0]
            for _ in range(2)
        )  # fmt: skip
        karte_create(
            salon=salon_a.salon, actor=salon_a.owner.user, customer=salon_a.customer,
            treatment_date=datetime.date(2026, 11, 2), staff=salon_a.owner, menu="カラー",
            items=[
                ItemInput(kind=ItemKind.PHOTO, image=before, photo_tag=PhotoTag.BEFORE, is_public=public),
                ItemInput(kind=ItemKind.PHOTO, image=after, photo_tag=PhotoTag.AFTER, is_public=public),
            ],
        )  # fmt: skip
    page = tablet
    log_in(page, live_server, "salon-a-stylist", "pw-stylist-123")
    # Staff compare on the customer's page, whether or not the photos are public.
    page.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/")
    staff_stage = page.locator(".compare--staff .compare__stage")
    expect(staff_stage.locator("img").first).to_have_js_property("complete", True)
    page.locator(".compare--staff [data-compare]").fill("30")
    expect(staff_stage).to_have_attribute("style", re.compile(r"--split:\s*30%"))
    if public:
        screenshot(page, "30-staff-before-after")
    page.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/preview/")
    phone = page.frame_locator(".phone-frame iframe")
    stage = phone.locator(".compare__stage")
    if not public:
        expect(phone.locator("main")).to_be_visible()
        expect(stage).to_have_count(0)  # the customer sees no private photo, so no slider
        return
    expect(stage).to_be_visible()
    phone.locator("[data-compare]").fill("20")  # the slider works in the preview as on the phone
    expect(stage).to_have_attribute("style", re.compile(r"--split:\s*20%"))


@pytest.mark.parametrize(
    "size",
    [(820, 1180), (1180, 820), (390, 844), (844, 390)],
    ids=["ipad-portrait", "ipad-landscape", "phone-portrait", "phone-landscape"],
)
def test_the_drawing_pad_fits_the_screen_with_its_buttons_in_reach(
    live_server, tablet, salon_a, size, screenshot
):
    page = tablet
    page.set_viewport_size({"width": size[0], "height": size[1]})
    log_in(page, live_server, "salon-a-stylist", "pw-stylist-123")
    page.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/kartes/new/")
    expect(page.locator("#karte-form")).to_have_attribute("data-ready", "true")
    page.get_by_role("button", name="イラストを描く").click()
    dialog = page.locator("#draw-dialog")
    for name in ("このイラストを使う", "キャンセル"):
        expect(dialog.get_by_role("button", name=name)).to_be_in_viewport(ratio=1)
    stage = page.locator(".draw-stage").bounding_box()
    assert stage and stage["y"] >= 0 and stage["y"] + stage["height"] <= size[1]
    assert abs(stage["width"] / stage["height"] - 4 / 3) < 0.02  # scaled, not stretched
    assert stage["width"] >= min(size) * 0.5 or size == (844, 390)  # as large as the screen allows
    assert dialog.evaluate("d => d.scrollHeight <= d.clientHeight + 1")  # nothing to scroll to
    draw_stroke(page, [(0.3, 0.3), (0.6, 0.6)])
    if size == (1180, 820):
        screenshot(page, "19-illustration-ipad-landscape")
    dialog.get_by_role("button", name="このイラストを使う").click()
    expect(dialog).to_be_hidden(timeout=15_000)  # it closes once the drawing is uploaded
    illustration = page.locator('.editor-item[data-kind="illustration"]')
    expect(illustration.locator('input[name$="-image"]')).not_to_have_value("", timeout=15_000)
