"""What goes wrong on a salon floor: a file that is not a photo among good ones, and an
illustration that needs changing later."""

import datetime
import io
import uuid

import pytest
from django_scopes import scope
from PIL import Image
from playwright.sync_api import expect

from kartes.models import ImageKind, ItemKind, Karte
from kartes.services import ItemInput, image_asset_create, karte_create

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def jpeg(path, color):
    out = io.BytesIO()
    Image.new("RGB", (900, 600), color).save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return str(path)


def test_a_bad_file_does_not_lose_the_good_photos_or_the_karte(live_server, tablet, salon_a, tmp_path):
    page = tablet
    log_in(page, live_server, "salon-a-owner", "pw-owner-123")
    page.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/kartes/new/")
    expect(page.locator("#karte-form")).to_have_attribute("data-ready", "true")
    page.get_by_role("button", name="テキストを追加").click()
    page.locator('.editor-item[data-kind="text"] textarea').fill("入力したメモ")
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"this is not a photo at all")
    page.locator("#photo-input").set_input_files([jpeg(tmp_path / "a.jpg", (200, 0, 0)), str(broken)])

    photos = page.locator('.editor-item[data-kind="photo"]')
    expect(photos.nth(0)).to_have_attribute("data-upload", "done")
    expect(photos.nth(1)).to_have_attribute("data-upload", "failed")
    expect(photos.nth(1).locator(".upload-status__text")).to_contain_text("読み込める画像ではありません")
    # Sending it again cannot help: no 「再試行」, and the way forward is said instead.
    expect(photos.nth(1).get_by_role("button", name="再試行")).to_be_hidden()
    expect(photos.nth(1).locator(".upload-status__text")).to_contain_text(
        "削除して、別のファイルを選んでください"
    )

    page.get_by_role("button", name="カルテを保存").click()
    expect(page.locator("#save-state")).to_contain_text("アップロードできなかった写真があります")
    expect(page.locator('.editor-item[data-kind="text"] textarea')).to_have_value("入力したメモ")

    photos.nth(1).get_by_role("button", name="この項目を削除").click()
    page.get_by_role("button", name="カルテを保存").click()
    expect(page.locator(".message")).to_contain_text("カルテを保存しました")
    with scope(salon=salon_a.salon):
        karte = Karte.objects.get()
        assert [(i.kind, i.text) for i in karte.items.all()] == [("text", "入力したメモ"), ("photo", "")]


def test_a_pdf_shows_no_broken_picture_and_a_photo_over_the_limit_is_made_smaller(
    live_server, tablet, salon_a, tmp_path
):
    import os

    from django.conf import settings

    page = tablet
    log_in(page, live_server, "salon-a-owner", "pw-owner-123")
    page.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/kartes/new/")
    expect(page.locator("#karte-form")).to_have_attribute("data-ready", "true")
    pdf = tmp_path / "予約表.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    # A 16-megapixel photo of pure grain: over the 20 MB limit as saved, as a phone's can be.
    big = tmp_path / "IMG_0002.jpg"
    Image.frombytes("RGB", (4600, 3450), os.urandom(4600 * 3450 * 3)).save(big, format="JPEG", quality=100)
    assert big.stat().st_size > settings.KARTE_PHOTO_MAX_BYTES
    page.locator("#photo-input").set_input_files([str(pdf), str(big)])

    photos = page.locator('.editor-item[data-kind="photo"]')
    expect(photos.nth(0)).to_have_attribute("data-upload", "failed")
    expect(photos.nth(0).locator(".editor-item__preview")).to_be_hidden()  # no broken-image icon
    expect(photos.nth(0).get_by_role("button", name="再試行")).to_be_hidden()
    expect(photos.nth(1)).to_have_attribute("data-upload", "done", timeout=60_000)
    image_id = photos.nth(1).locator('input[name$="-image"]').input_value()
    from kartes.models import ImageAsset

    with scope(salon=salon_a.salon):
        asset = ImageAsset.objects.get(pk=image_id)
        with asset.original.open("rb") as stored, Image.open(stored) as original:
            assert max(original.size) == 4096 and original.format == "JPEG"  # made smaller, not cut
    assert asset.original_size is not None and asset.original_size <= settings.KARTE_PHOTO_MAX_BYTES


def test_an_illustration_can_be_edited_stroke_by_stroke_later(live_server, tablet, salon_a):
    strokes = [
        {"tool": "pen", "color": "#222222", "width": 8, "points": [[100, 100], [300, 300]]},
        {"tool": "pen", "color": "#d62839", "width": 8, "points": [[500, 100], [700, 300]]},
    ]
    png = io.BytesIO()
    Image.new("RGB", (1200, 900), "white").save(png, format="PNG")
    with scope(salon=salon_a.salon):
        asset, _ = image_asset_create(
            salon=salon_a.salon,
            user=salon_a.owner.user,
            upload_key=uuid.uuid4(),
            data=png.getvalue(),
            kind=ImageKind.ILLUSTRATION,
        )
        karte = karte_create(
            salon=salon_a.salon,
            actor=salon_a.owner.user,
            customer=salon_a.customer,
            treatment_date=datetime.date(2026, 11, 1),
            staff=salon_a.owner,
            menu="カラー",
            items=[ItemInput(kind=ItemKind.ILLUSTRATION, image=asset, drawing=strokes, template="hands")],
        )
    page = tablet
    log_in(page, live_server, "salon-a-owner", "pw-owner-123")
    page.goto(f"{live_server.url}/kartes/{karte.pk}/edit/")
    expect(page.locator("#karte-form")).to_have_attribute("data-ready", "true")
    page.get_by_role("button", name="イラストを編集").click()
    dialog = page.locator("#draw-dialog")
    expect(dialog.get_by_label("下絵")).to_have_value("hands")
    dialog.get_by_role("button", name="元に戻す").click()
    dialog.get_by_role("button", name="このイラストを使う").click()
    expect(dialog).to_be_hidden()
    page.get_by_role("button", name="カルテを保存").click()
    expect(page.locator(".message")).to_contain_text("カルテを保存しました")
    with scope(salon=salon_a.salon):
        item = karte.items.get()
        assert item.drawing == strokes[:1]
        assert item.image_id != asset.pk


def test_a_save_on_a_dropped_connection_is_kept_and_sent_when_back_online(live_server, tablet, salon_a):
    page = tablet
    log_in(page, live_server, "salon-a-owner", "pw-owner-123")
    page.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/kartes/new/")
    expect(page.locator("#karte-form")).to_have_attribute("data-ready", "true")
    page.get_by_role("button", name="テキストを追加").click()
    page.locator('.editor-item[data-kind="text"] textarea').fill("電波の悪い日のメモ")

    page.context.set_offline(True)
    page.get_by_role("button", name="カルテを保存").click()
    expect(page.locator("#save-state")).to_contain_text("接続が戻ると送信します")
    expect(page.locator('.editor-item[data-kind="text"] textarea')).to_have_value("電波の悪い日のメモ")
    with scope(salon=salon_a.salon):
        assert not Karte.objects.exists()

    page.context.set_offline(False)
    expect(page.locator(".message")).to_contain_text("カルテを保存しました")
    with scope(salon=salon_a.salon):
        assert [item.text for item in Karte.objects.get().items.all()] == ["電波の悪い日のメモ"]
