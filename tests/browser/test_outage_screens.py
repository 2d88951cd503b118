"""What staff and customers see during an outage, in Chromium: a full photo disk on the tablet
(a real tmpfs), and the phone while the server's database is away (a real gunicorn process)."""

import json

import pytest
from playwright.sync_api import expect

from ..app_process import AppProcess
from ..test_outages import _noise_jpeg
from .conftest import PHONE, log_in

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_a_full_photo_disk_is_said_on_the_photo_and_not_retried(
    live_server, tablet, salon_a, small_disk, tmp_path
):
    page = tablet
    log_in(page, live_server, "salon-a-owner", "pw-owner-123")
    page.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/kartes/new/")
    expect(page.locator("#karte-form")).to_have_attribute("data-ready", "true")
    uploads = []
    page.on("request", lambda request: uploads.append(request) if request.url.endswith("/uploads/") else None)
    photo = tmp_path / "big.jpg"
    photo.write_bytes(_noise_jpeg())
    page.locator("#photo-input").set_input_files([str(photo)])
    item = page.locator('.editor-item[data-kind="photo"]')
    expect(item).to_have_attribute("data-upload", "failed")
    expect(item.locator(".upload-status__text")).to_contain_text("保存領域がいっぱい")
    assert len(uploads) == 1  # a full disk is not resent by itself


def test_the_phone_shows_what_it_has_seen_while_the_database_is_away(browser, tmp_path):
    app = AppProcess(tmp_path)
    app.prepare()
    numeric = app.shell(
        """
import datetime
from customers.models import Customer
from kartes.models import ItemKind
from kartes.services import ItemInput, karte_create
from linking.services import link_code_issue
from salons.models import Salon, StaffMember
salon = Salon.objects.get()
owner = StaffMember.objects.get()
customer = Customer(salon=salon, name="停電 花子", kana="ていでん はなこ")
customer.refresh_search_fields()
customer.save()
karte_create(
    salon=salon, actor=owner.user, customer=customer, treatment_date=datetime.date(2026, 11, 1), staff=owner,
    menu="カット", items=[ItemInput(kind=ItemKind.TEXT, text="公開したメモ", is_public=True)],
)
print(link_code_issue(salon=salon, customer=customer, issued_by=owner).numeric)
"""
    )
    app.start()
    context = browser.new_context(**PHONE)
    context.set_default_timeout(15_000)
    try:
        phone = context.new_page()
        phone.goto(app.url("/s/process/app/"))
        phone.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=45_000)
        phone.get_by_label("または8桁の番号を入力").fill(numeric)
        phone.get_by_role("button", name="連携する").click()
        phone.locator(".karte-card").first.click()
        expect(phone.get_by_text("公開したメモ")).to_be_visible()
        karte_url = phone.url

        app.take_database_away()
        try:
            phone.reload()  # seen before: the service worker shows it
            expect(phone.get_by_text("公開したメモ")).to_be_visible()
            phone.goto(app.url("/s/process/app/settings/"))  # never seen: the app's own outage screen
            expect(phone.locator("[data-outage=database]")).to_contain_text("入力した内容は失われていません")
            status = phone.evaluate(
                "fetch(location.href, {headers: {Accept: 'application/json'}}).then("
                "async (r) => [r.status, r.headers.get('Retry-After'), await r.text()])"
            )
        finally:
            app.bring_database_back()
        assert status[0] == 503 and status[1] == "15"
        assert json.loads(status[2])["reason"] == "database"
        phone.goto(karte_url)
        expect(phone.get_by_text("公開したメモ")).to_be_visible()
    finally:
        context.close()
        app.stop()
