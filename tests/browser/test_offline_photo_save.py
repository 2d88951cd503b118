"""An offline edit with a photo, saved, then back online: the karte is saved exactly once with its
photo, whether the upload's answer comes back before the save is sent again or only long after,
round after round. The upload is held back in the browser (Playwright's routing) until the test lets
it go on; the server, database and files are real."""

import pytest
from django_scopes import scope
from PIL import Image
from playwright.sync_api import expect

from kartes.models import Karte
from tests.factories import make_karte

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROUNDS = 20


LIMIT = 300_000  # the photo limit for this test, so that a camera-sized photo is quick to make


def _jpeg(path, shade: int, *, over_the_limit: bool) -> str:
    """A photo; over the limit, one the editor makes smaller before it is uploaded (as a phone's)."""
    if over_the_limit:
        photo = Image.merge("RGB", [Image.effect_noise((1400, 1050), 5).convert("L")] * 3)
        photo.save(path, format="JPEG", quality=100)
        assert path.stat().st_size > LIMIT
    else:
        Image.new("RGB", (640, 480), (shade, 120, 90)).save(path, format="JPEG")
    return str(path)


def test_an_offline_save_with_a_photo_is_never_lost(live_server, tablet, salon_a, tmp_path, settings):
    settings.KARTE_PHOTO_MAX_BYTES = LIMIT
    karte = make_karte(salon_a)
    page = tablet
    log_in(page, live_server, "salon-a-owner", "pw-owner-123")
    held = []

    def hold(route):
        # The upload goes on to the server (and its answer back) when the test says so.
        held.append(route)

    page.route("**/uploads/", hold)
    posts: list[str] = []

    def note_post(request):
        if request.method == "POST":
            posts.append(request.url)

    page.on("request", note_post)
    for round in range(ROUNDS):
        late, large = round % 2 == 1, round % 4 >= 2
        page.goto(f"{live_server.url}/kartes/{karte.pk}/edit/")
        expect(page.locator("#karte-form")).to_have_attribute("data-ready", "true")
        page.locator('.editor-item[data-kind="text"] textarea').first.fill(f"{round}回目の圏外メモ")
        page.context.set_offline(True)
        page.locator("#photo-input").set_input_files(
            [_jpeg(tmp_path / f"p{round}.jpg", round * 10, over_the_limit=large)]
        )
        page.get_by_role("button", name="カルテを保存").click()
        expect(page.locator("#save-state")).to_contain_text("写真のアップロードが終わるのを待っています")
        del posts[:]
        page.context.set_offline(False)
        page.wait_for_function("() => navigator.onLine")
        # The upload goes out again once online and is held here. Playwright runs the
        # route handler while the page is waited on, so wait on it until the handler has run.
        for _tick in range(600):
            if held:
                break
            page.wait_for_timeout(25)
        assert held, "the upload was not sent again once online"
        if late:
            # Let the page run on for a while with the upload held: the karte must wait for it.
            page.wait_for_timeout(300)
        if late:
            # However long the answer takes, the karte is not sent before it.
            assert not any("/kartes/" in url for url in posts), posts
        held.pop().continue_()
        expect(page.locator(".message")).to_contain_text("カルテを保存しました", timeout=30_000)
        # The customer page's photos load on: let them, so that no request is still being answered
        # when the test's database is emptied.
        page.wait_for_load_state("networkidle")
        with scope(salon=salon_a.salon):
            saved = Karte.objects.get(pk=karte.pk)
            texts = [item.text for item in saved.items.filter(kind="text")]
            photos = saved.items.filter(kind="photo").count()
        assert f"{round}回目の圏外メモ" in texts, (round, texts)
        assert photos == round + 2, (round, photos)  # the factory's photo and one more per round
        assert sum("/kartes/" in url for url in posts) == 1, posts  # saved exactly once
