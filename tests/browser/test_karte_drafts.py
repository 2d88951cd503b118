"""The karte editor never loses work: drafts kept in the browser through a closed tab, a reload,
an offline period with photos, a database outage (503) and an expired session."""

import io
import json

import pytest
from django_scopes import scope
from PIL import Image
from playwright.sync_api import expect

from kartes.models import Karte

from ..app_process import OWNER, AppProcess
from .conftest import TABLET, log_in, past_login

pytestmark = [pytest.mark.browser]
SLOW = 30_000


def jpeg(path, color=(30, 160, 90)):
    out = io.BytesIO()
    Image.new("RGB", (900, 600), color).save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return str(path)


def _new_karte(page, base_url, customer_pk):
    page.goto(f"{base_url}/customers/{customer_pk}/kartes/new/")
    expect(page.locator("#karte-form")).to_have_attribute("data-ready", "true")


def _type_a_karte(page, *, menu, text):
    page.get_by_label("その他のメニュー", exact=True).fill(menu)
    page.get_by_role("button", name="テキストを追加").click()
    page.locator('.editor-item[data-kind="text"] textarea').fill(text)


def _wait_for_draft(page):
    # The draft is written asynchronously; it is there once IndexedDB holds the typed text.
    page.wait_for_function(
        """() => new Promise((resolve) => {
          const open = indexedDB.open("karte-drafts", 1);
          open.onupgradeneeded = () => open.result.createObjectStore("drafts", { keyPath: "key" });
          open.onsuccess = () => {
            const all = open.result.transaction("drafts").objectStore("drafts").getAll();
            all.onsuccess = () => {
              resolve(JSON.stringify(all.result).includes("uploadKey"));
              open.result.close();
            };
          };
        })"""
    )


@pytest.mark.django_db(transaction=True)
def test_a_closed_tab_loses_nothing_and_the_draft_goes_once_saved(
    live_server, tablet, salon_a, tmp_path, screenshot
):
    page = tablet
    log_in(page, live_server, "salon-a-owner", "pw-owner-123")
    _new_karte(page, live_server.url, salon_a.customer.pk)
    _type_a_karte(page, menu="カット、カラー", text="閉じる前のメモ")
    page.locator("#photo-input").set_input_files([jpeg(tmp_path / "a.jpg")])
    expect(page.locator('.editor-item[data-kind="photo"]')).to_have_attribute("data-upload", "done")
    _wait_for_draft(page)
    page.close(run_before_unload=False)

    page = tablet.context.new_page()
    _new_karte(page, live_server.url, salon_a.customer.pk)
    banner = page.locator("#draft-banner")
    expect(banner).to_contain_text("送信されていない変更があります")
    expect(page.locator('.editor-item[data-kind="text"]')).to_have_count(0)
    screenshot(page, "16-editor-unsent-changes")
    expect(page.locator("#karte-form")).to_have_js_property("inert", True)  # choose first, then type
    banner.get_by_role("button", name="復元").click()
    expect(page.locator("#karte-form")).to_have_js_property("inert", False)
    expect(banner).to_be_hidden()
    expect(page.get_by_label("その他のメニュー", exact=True)).to_have_value("カット、カラー")
    expect(page.locator('.editor-item[data-kind="text"] textarea')).to_have_value("閉じる前のメモ")
    expect(page.locator('.editor-item[data-kind="photo"] img')).to_be_visible()
    page.get_by_role("button", name="カルテを保存").click()
    expect(page.locator(".message")).to_contain_text("カルテを保存しました")
    with scope(salon=salon_a.salon):
        karte = Karte.objects.get()
        assert karte.menu == "カット、カラー"
        assert [item.kind for item in karte.items.all()] == ["text", "photo"]

    # Confirmed by the server: the draft is gone, a new editor starts clean.
    _new_karte(page, live_server.url, salon_a.customer.pk)
    expect(page.locator("#draft-banner")).to_be_hidden()


@pytest.mark.django_db(transaction=True)
def test_a_discarded_draft_is_not_offered_again_and_logout_clears_drafts(live_server, tablet, salon_a):
    page = tablet
    log_in(page, live_server, "salon-a-owner", "pw-owner-123")
    _new_karte(page, live_server.url, salon_a.customer.pk)
    _type_a_karte(page, menu="パーマ", text="破棄するメモ")
    _wait_for_draft(page)
    page.reload()
    expect(page.locator("#karte-form")).to_have_attribute("data-ready", "true")
    page.locator("#draft-banner").get_by_role("button", name="破棄する").click()
    expect(page.locator("#draft-banner")).to_be_hidden()  # the draft is deleted by then
    page.reload()
    expect(page.locator("#karte-form")).to_have_attribute("data-ready", "true")
    expect(page.locator("#draft-banner")).to_be_hidden()

    _type_a_karte(page, menu="パーマ", text="ログアウト前のメモ")
    _wait_for_draft(page)
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url("**/login/")
    assert page.evaluate("indexedDB.databases().then((dbs) => dbs.map((db) => db.name))") == []


@pytest.mark.django_db(transaction=True)
def test_offline_with_a_photo_then_online_saves_the_karte_with_its_photo(
    live_server, tablet, salon_a, tmp_path, screenshot
):
    page = tablet
    log_in(page, live_server, "salon-a-owner", "pw-owner-123")
    _new_karte(page, live_server.url, salon_a.customer.pk)
    _type_a_karte(page, menu="カット", text="圏外で書いたメモ")
    page.context.set_offline(True)
    page.locator("#photo-input").set_input_files([jpeg(tmp_path / "offline.jpg")])
    page.get_by_role("button", name="カルテを保存").click()
    state = page.locator("#save-state")
    expect(state).to_contain_text("写真のアップロードが終わるのを待っています")
    expect(page.locator('.editor-item[data-kind="photo"] .upload-status__text')).to_have_text(
        "オフライン：接続が戻るとアップロードします"
    )
    expect(state).to_be_in_viewport()
    screenshot(page, "17-editor-offline-save")
    with scope(salon=salon_a.salon):
        assert not Karte.objects.exists()

    page.context.set_offline(False)
    expect(page.locator(".message")).to_contain_text("カルテを保存しました", timeout=SLOW)
    with scope(salon=salon_a.salon):
        karte = Karte.objects.get()
        items = list(karte.items.all())
        assert [item.kind for item in items] == ["text", "photo"]
        assert items[1].image_id is not None


def test_an_outage_and_an_expired_session_lose_nothing(browser, tmp_path):
    """Against a real server process (gunicorn) whose database goes away for a while."""
    app = AppProcess(tmp_path, extra_env={"KARTE_RETRY_AFTER_SECONDS": "1"})
    app.prepare()
    customer_pk = app.shell(
        """
from customers.models import Customer
from salons.models import Salon
customer = Customer(salon=Salon.objects.get(), name="停電 花子", kana="ていでん はなこ")
customer.refresh_search_fields()
customer.save()
print(customer.pk)
"""
    )
    app.start()
    context = browser.new_context(viewport=TABLET, locale="ja-JP", timezone_id="Asia/Tokyo")
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        page.goto(app.url("/login/"))
        page.get_by_label("ユーザー名").fill(OWNER[0])
        page.get_by_label("パスワード").fill(OWNER[1])
        page.get_by_role("button", name="ログイン", exact=True).click()
        past_login(page)

        _new_karte(page, app.url(""), customer_pk)
        _type_a_karte(page, menu="カラー", text="停電中に書いたメモ")
        app.take_database_away()
        try:
            page.get_by_role("button", name="カルテを保存").click()
            expect(page.locator("#save-state")).to_contain_text("サーバーが混み合っています")
        finally:
            app.bring_database_back()
        # Sent again by itself once the server answers.
        expect(page.locator(".message")).to_contain_text("カルテを保存しました", timeout=SLOW)

        _new_karte(page, app.url(""), customer_pk)
        _type_a_karte(page, menu="トリートメント", text="期限切れの後のメモ")
        app.shell("from django.contrib.sessions.models import Session\nSession.objects.all().delete()")
        page.get_by_role("button", name="カルテを保存").click()
        expect(page.locator("#save-state")).to_contain_text("もう一度ログインすると復元できます")
        page.get_by_role("link", name="もう一度ログイン").click()
        page.get_by_label("ユーザー名").fill(OWNER[0])
        page.get_by_label("パスワード").fill(OWNER[1])
        page.get_by_role("button", name="ログイン", exact=True).click()
        past_login(page, landing=r".*/kartes/.*")
        page.locator("#draft-banner").get_by_role("button", name="復元").click()
        expect(page.locator('.editor-item[data-kind="text"] textarea')).to_have_value("期限切れの後のメモ")
        page.get_by_role("button", name="カルテを保存").click()
        expect(page.locator(".message")).to_contain_text("カルテを保存しました")
        saved = app.shell(
            """
import json
from kartes.models import Karte
print(json.dumps(sorted([k.menu, [i.text for i in k.items.all()]] for k in Karte.objects.all())))
"""
        )
        # Each karte exactly once, with what was typed.
        assert json.loads(saved) == [
            ["カラー", ["停電中に書いたメモ"]],
            ["トリートメント", ["期限切れの後のメモ"]],
        ]
    finally:
        context.close()
        app.stop()
