"""The counselling sheet in real Chromium: a new customer fills it and signs with a finger on a phone
that has no app and no account, the tablet files it, and a linked customer fills it again from the
app. Files are real (the test's own storage folder); the phone is a phone-sized Chromium context."""

import base64
import io
import re
from contextlib import contextmanager

import pytest
from django_scopes import scope
from PIL import Image
from playwright.sync_api import expect

from counselling.models import SheetResponse
from counselling.services import sheet_preset_apply
from customers.models import Customer

from .conftest import PHONE, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _hair_sheet(world):
    with scope(salon=world.salon):
        sheet_preset_apply(salon=world.salon, salon_type="hair", actor=world.owner.user)


def _sign(page):
    """Draw a signature across the pad as a finger would: down, a wavy stroke, up."""
    pad = page.locator(".signature__pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.6)
    page.mouse.down()
    for step in range(1, 16):
        page.mouse.move(
            box["x"] + 20 + step * (box["width"] - 40) / 15,
            box["y"] + box["height"] * (0.3 if step % 2 else 0.7),
            steps=3,
        )
    page.mouse.up()


def _pad_has_ink(page) -> bool:
    return page.locator(".signature__pad").evaluate(
        """canvas => {
            const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 3; i < data.length; i += 4) if (data[i] > 0) return true;
            return false;
        }"""
    )


def _answer_the_hair_sheet(page, *, skip_wish=False):
    if not skip_wish:
        page.get_by_label("本日のご希望をお聞かせください").fill("前髪を短くして、全体を軽くしたいです。")
    page.get_by_role("group", name="カラー剤やパーマ液でかぶれたことはありますか？").get_by_label(
        "いいえ"
    ).check()
    page.get_by_role("group", name="頭皮の状態").get_by_label("乾燥").check()
    page.get_by_role("group", name="この半年以内にしたこと").get_by_label("カラー").check()
    page.get_by_label("最後にカラー・パーマをした日").fill("2026-09-20")
    page.get_by_role("group", name="妊娠中・授乳中ですか？").get_by_label("いいえ").check()
    page.get_by_label("上記を読み、同意します。").check()


def test_a_new_customer_fills_and_signs_on_the_phone_and_the_tablet_files_it(
    live_server, browser, tablet, salon_a, own_storage, screenshot
):
    _hair_sheet(salon_a)
    log_in(tablet, live_server, "salon-a-owner", "pw-owner-123")
    tablet.get_by_role("navigation", name="メイン").get_by_role("link", name="問診票").click()
    tablet.get_by_role("button", name="QRコードを表示").click()
    expect(tablet.locator(".sheet-link__qr svg")).to_be_visible()
    screenshot(tablet, "34-sheet-counter-qr")
    url = tablet.get_by_label("問診票のアドレス").input_value()
    assert "/s/salon-a/sheet/" in url

    context = browser.new_context(**PHONE)
    context.set_default_timeout(15_000)
    phone = context.new_page()
    errors: list[str] = []
    phone.on("pageerror", lambda error: errors.append(str(error)))
    try:
        phone.goto(url)
        expect(phone.get_by_role("heading", name="問診票")).to_be_visible()
        phone.get_by_label("お名前").fill("青木 さくら")
        phone.get_by_label("ふりがな").fill("あおき さくら")
        phone.get_by_label("携帯電話").fill("09048217730")
        _answer_the_hair_sheet(phone, skip_wish=True)  # one required answer forgotten
        _sign(phone)
        assert _pad_has_ink(phone)
        screenshot(phone, "35-phone-sheet-signed", full_page=True)
        phone.get_by_role("button", name="サロンに送信する").click()
        # Sent back with the question marked: nothing typed, ticked or drawn is lost.
        expect(phone.locator("#sheet-errors")).to_contain_text("確認が必要な回答があります")
        expect(phone.get_by_text("この質問にお答えください。")).to_be_visible()
        expect(phone.get_by_label("お名前")).to_have_value("青木 さくら")
        expect(phone.get_by_label("上記を読み、同意します。")).to_be_checked()
        phone.wait_for_function("() => document.querySelector('input[name=signature]').value.length > 100")
        phone.wait_for_function(
            """() => { const c = document.querySelector('.signature__pad');
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true; return false; }"""
        )
        phone.get_by_label("本日のご希望をお聞かせください").fill("前髪を短くして、全体を軽くしたいです。")
        phone.get_by_role("button", name="サロンに送信する").click()
        expect(
            phone.get_by_role("heading", name="ありがとうございました。問診票を受け付けました。")
        ).to_be_visible()
        assert errors == []
    finally:
        context.close()

    with scope(salon=salon_a.salon):
        sent = SheetResponse.objects.get()
    assert (sent.name, sent.phone) == ("青木 さくら", "090-4821-7730")
    stored = Image.open(io.BytesIO(sent.signature.open("rb").read()))
    assert stored.format == "PNG" and "exif" not in stored.info
    assert stored.getextrema()[0] < 80  # type: ignore[operator]  # the stroke drawn on the phone

    tablet.goto(f"{live_server.url}/sheets/")
    tablet.get_by_role("link", name="青木 さくら").click()
    expect(tablet.get_by_text("前髪を短くして、全体を軽くしたいです。")).to_be_visible()
    signature = tablet.get_by_role("img", name="青木 さくら 様の署名")
    expect(signature).to_have_js_property("complete", True)
    assert signature.evaluate("img => img.naturalWidth") == 900
    screenshot(tablet, "36-sheet-received", full_page=True)
    tablet.get_by_role("button", name="新しい顧客として登録").click()
    expect(tablet.get_by_role("heading", name="問診票")).to_be_visible()
    expect(tablet.locator("#sheets")).to_contain_text("前髪を短くして、全体を軽くしたいです。")
    # The signed consent is right there with the answers, small, without further taps.
    beside = tablet.locator("#sheets").get_by_role("img", name="青木 さくら 様の署名")
    expect(beside).to_be_in_viewport()
    expect(beside).to_have_js_property("complete", True)
    screenshot(tablet, "36-sheet-on-customer-page")
    with scope(salon=salon_a.salon):
        assert Customer.objects.get(name="青木 さくら").phone == "090-4821-7730"


@contextmanager
def _signed_sheet_on_a_phone(browser, live_server, world, *, single_use):
    """A stranger's phone with the salon's hair sheet filled in and signed, not yet sent."""
    from counselling.services import sheet_link_create

    _hair_sheet(world)
    with scope(salon=world.salon):
        _link, token = sheet_link_create(salon=world.salon, actor=None, single_use=single_use)
    context = browser.new_context(**PHONE)
    context.set_default_timeout(15_000)
    phone = context.new_page()
    try:
        phone.goto(f"{live_server.url}/s/{world.salon.slug}/sheet/{token}/")
        phone.get_by_label("お名前").fill("青木 さくら")
        phone.get_by_label("ふりがな").fill("あおき さくら")
        phone.get_by_label("携帯電話").fill("090-4821-7730")
        _answer_the_hair_sheet(phone)
        _sign(phone)
        yield context, phone
    finally:
        context.close()


def test_a_phone_that_loses_its_connection_keeps_the_answers_and_sends_later(
    live_server, browser, salon_a, own_storage
):
    with _signed_sheet_on_a_phone(browser, live_server, salon_a, single_use=True) as (context, phone):
        context.set_offline(True)
        phone.get_by_role("button", name="サロンに送信する").click()
        expect(phone.locator("[data-sheet-status]")).to_contain_text("送信できませんでした")
        expect(phone.get_by_label("お名前")).to_have_value("青木 さくら")
        assert _pad_has_ink(phone)
        with scope(salon=salon_a.salon):
            assert not SheetResponse.objects.exists()
        context.set_offline(False)
        phone.get_by_role("button", name="サロンに送信する").click()
        expect(
            phone.get_by_role("heading", name="ありがとうございました。問診票を受け付けました。")
        ).to_be_visible()
    with scope(salon=salon_a.salon):
        assert SheetResponse.objects.count() == 1


def test_a_linked_customer_fills_the_sheet_again_from_the_app(live_server, salon_a, link_phone, own_storage):
    _hair_sheet(salon_a)
    page = link_phone(salon_a, salon_a.customer)
    page.get_by_role("link", name="問診票を記入する").click()
    expect(page.get_by_role("heading", name="問診票")).to_be_visible()
    expect(page.get_by_label("お名前")).to_have_count(0)  # the app knows who this is
    _answer_the_hair_sheet(page)
    _sign(page)
    page.get_by_role("button", name="サロンに送信する").click()
    expect(
        page.get_by_role("heading", name="ありがとうございました。問診票を受け付けました。")
    ).to_be_visible()
    with scope(salon=salon_a.salon):
        sent = SheetResponse.objects.get()
    assert sent.customer == salon_a.customer and sent.status == "filed"
    signed = base64.b64encode(sent.signature.open("rb").read())
    assert signed  # kept as a file of its own, served to staff only


@pytest.mark.parametrize("viewport", [{"width": 820, "height": 1180}, {"width": 1180, "height": 820}])
def test_the_owner_starts_the_sheet_from_a_preset_and_adds_a_question(
    live_server, tablet, salon_a, viewport, screenshot
):
    tablet.set_viewport_size(viewport)
    log_in(tablet, live_server, "salon-a-owner", "pw-owner-123")
    tablet.get_by_role("link", name="サロン管理").click()
    tablet.get_by_role("navigation", name="サロン").get_by_role("link", name="問診票").click()
    tablet.get_by_label("サロンの種類").select_option(label="まつげサロン")
    tablet.get_by_role("button", name="この質問を追加").click()
    expect(tablet.get_by_text("コンタクトレンズを使用していますか？")).to_be_visible()
    expect(tablet.get_by_label("同意書", exact=True)).to_have_value(re.compile("まつげ用のグルー"))
    tablet.get_by_role("link", name="質問を追加").click()
    tablet.get_by_label("質問").fill("ご希望のカールは？")
    tablet.get_by_label("回答の種類").select_option(label="単一選択")
    tablet.get_by_role("button", name="保存").click()
    expect(tablet.get_by_text("選択肢を1行に1つずつ、2つ以上入力してください。")).to_be_visible()
    expect(tablet.get_by_label("質問")).to_have_value("ご希望のカールは？")
    tablet.get_by_label("選択肢").fill("Jカール\nCカール\nDカール")
    tablet.get_by_role("button", name="保存").click()
    row = tablet.locator(".question-row").last
    expect(row).to_contain_text("ご希望のカールは？")
    row.get_by_role("button", name="ご希望のカールは？ を上へ").click()
    expect(tablet.locator(".question-row").nth(-2)).to_contain_text("ご希望のカールは？")
    for element in tablet.locator("main button, main a").all():
        box = element.bounding_box()
        assert box is None or box["x"] + box["width"] <= viewport["width"] + 1  # nothing off screen
    screenshot(tablet, f"37-sheet-design-{viewport['width']}x{viewport['height']}", full_page=True)


def test_the_sheet_reads_in_english_too(live_server, browser, salon_a, own_storage, screenshot):
    _hair_sheet(salon_a)
    from counselling.services import sheet_link_create

    with scope(salon=salon_a.salon):
        _link, token = sheet_link_create(salon=salon_a.salon, actor=None, single_use=False)
    context = browser.new_context(**{**PHONE, "locale": "en-US"})
    phone = context.new_page()
    try:
        phone.goto(f"{live_server.url}/s/salon-a/sheet/{token}/")
        expect(phone.get_by_role("heading", name="Counselling sheet")).to_be_visible()
        expect(phone.get_by_label("Your name")).to_be_visible()
        phone.get_by_role("button", name="Send to the salon").click()
        expect(phone.get_by_text("Enter your name.")).to_be_visible()
        expect(phone.get_by_text("Please sign with your finger in the box.")).to_be_visible()
        screenshot(phone, "38-phone-sheet-english")
    finally:
        context.close()


def test_a_sheet_too_large_to_send_stays_on_the_phone_with_a_message(
    live_server, browser, salon_a, own_storage
):
    """What the phone sends past the sheet's limit is refused before it is read (413): the page
    stays as it is, says why in Japanese, and sends once the signature is drawn again."""
    with _signed_sheet_on_a_phone(browser, live_server, salon_a, single_use=False) as (_context, phone):
        # A signature far past what any pad draws (1.5 MB), as a tampered or broken page might send.
        phone.evaluate(
            "() => { document.querySelector('input[name=signature]').value += 'A'.repeat(1500000); }"
        )
        phone.get_by_role("button", name="サロンに送信する").click()
        expect(phone.locator("[data-sheet-status]")).to_contain_text("サインのデータが大きすぎます")
        expect(phone.get_by_label("お名前")).to_have_value("青木 さくら")
        assert _pad_has_ink(phone)
        with scope(salon=salon_a.salon):
            assert not SheetResponse.objects.exists()
        phone.get_by_role("button", name="消して書き直す").click()
        _sign(phone)
        phone.get_by_role("button", name="サロンに送信する").click()
        expect(
            phone.get_by_role("heading", name="ありがとうございました。問診票を受け付けました。")
        ).to_be_visible()
    with scope(salon=salon_a.salon):
        assert SheetResponse.objects.count() == 1
