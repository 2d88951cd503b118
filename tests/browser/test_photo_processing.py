"""「処理中」 on the tablet: a photo shows from the tablet's own file at once while the worker makes
its copies, a damaged photo says so without a pointless retry, and a failed processing can be
retried from the customer's history. The queue is held here (requests are collected, then run by
the test with the real task code, as tests/test_photo_tasks.py does), so each state can be seen."""

import io
import re

import pytest
from django_scopes import scopes_disabled
from PIL import Image
from playwright.sync_api import expect

from kartes.models import ImageAsset, ImageFailure, ImageStatus

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def run(queue):
    queue.run()


def jpeg(path, *, damaged=False):
    out = io.BytesIO()
    Image.effect_noise((1200, 900), 60).convert("RGB").save(out, format="JPEG", quality=90)
    data = out.getvalue()
    path.write_bytes(data[: len(data) // 2] if damaged else data)
    return path


def test_processing_then_ready_and_a_damaged_photo_without_retry(
    live_server, tablet, salon_a, held_queue, tmp_path, screenshot
):
    log_in(tablet, live_server, "salon-a-owner", "pw-owner-123")
    tablet.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/kartes/new/")
    expect(tablet.locator("#karte-form")).to_have_attribute("data-ready", "true")
    tablet.locator("#photo-input").set_input_files(str(jpeg(tmp_path / "good.jpg")))
    item = tablet.locator('.editor-item[data-kind="photo"]').first
    status = item.locator(".upload-status")
    expect(status).to_have_attribute("data-state", "processing")
    expect(status).to_contain_text("処理中")
    expect(item.locator(".editor-item__preview")).to_have_attribute("src", re.compile(r"^blob:"))
    screenshot(tablet, "editor-photo-processing")
    run(held_queue)
    expect(status).to_have_attribute("data-state", "done")
    expect(status).to_be_hidden()

    tablet.locator("#photo-input").set_input_files(str(jpeg(tmp_path / "broken.jpg", damaged=True)))
    broken = tablet.locator('.editor-item[data-kind="photo"]').nth(1)
    expect(broken.locator(".upload-status")).to_have_attribute("data-state", "processing")
    run(held_queue)
    expect(broken.locator(".upload-status")).to_have_attribute("data-state", "failed")
    expect(broken.locator(".upload-status")).to_contain_text("壊れているか")
    expect(broken.get_by_role("button", name="再試行")).to_be_hidden()


def test_a_failed_processing_is_retried_from_the_history(live_server, tablet, salon_a, held_queue):
    from tests.factories import make_karte

    karte = make_karte(salon_a)
    run(held_queue)
    with scopes_disabled():
        image_id = karte.items.get(kind="photo").image_id
        ImageAsset.objects.filter(pk=str(image_id)).update(
            status=ImageStatus.FAILED, failure=ImageFailure.ERROR
        )
    log_in(tablet, live_server, "salon-a-owner", "pw-owner-123")
    tablet.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/")
    tile = tablet.locator(".item-tile--photo")
    expect(tile.locator("[data-image-pending]")).to_contain_text("表示用の画像を作れませんでした")
    tile.get_by_role("button", name="再試行").click()
    expect(tile.locator("[data-image-pending]")).to_contain_text("処理中")
    assert len(held_queue) == 1
    run(held_queue)
    expect(tile.locator("img")).to_have_js_property("naturalWidth", 320)
