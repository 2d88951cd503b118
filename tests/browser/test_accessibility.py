"""axe-core (npm, evaluated in the page: nothing is fetched from elsewhere) on every staff page and
every page of the customer app, in Japanese and in English: no serious or critical violation."""

import datetime
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.utils import timezone
from django_scopes import scope

from appointments.services import appointment_book
from counselling.services import sheet_link_create, sheet_preset_apply
from customers.services import customer_create
from kartes.models import PhotoAngle
from kartes.portfolio import portfolio_ask
from linking.services import link_code_issue, link_code_redeem
from menus.models import MenuItem
from menus.services import menu_preset_apply
from tests.factories import make_karte, make_notice, make_sheet_response
from transfer.services import customer_import_stage

from .conftest import PHONE, TABLET, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations(page) -> list[str]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())  # run as the test's own script, so the page's CSP does not apply
    found = page.evaluate("options => axe.run(document, options)", RULES)["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[node['target'] for node in v['nodes'][:3]]}"
        for v in found
        if v["impact"] in {"serious", "critical"}
    ]


@pytest.fixture
def world(salon_a, own_storage):
    karte = make_karte(salon_a, public_text=True, public_photo=True, text="次回は6週間後がおすすめです。")
    notice = make_notice(salon_a, title="年末年始の営業")
    with scope(salon=salon_a.salon):
        issued = link_code_issue(salon=salon_a.salon, customer=salon_a.customer, issued_by=salon_a.owner)
        _device, credential = link_code_redeem(salon=salon_a.salon, code=issued.code)
        menu_preset_apply(salon=salon_a.salon, salon_type="hair")
        type(salon_a.salon).objects.filter(pk=salon_a.salon.pk).update(
            karte_message="年末年始はお休みです。", phone="03-1234-5678", address="東京都渋谷区神宮前1-2-3",
            opening_hours="10:00〜19:00", booking_url="https://reserve.example.jp/a",
        )  # fmt: skip
        staged = customer_import_stage(
            salon=salon_a.salon,
            actor=salon_a.owner.user,
            filename="台帳.csv",
            data="氏名,フリガナ,携帯\r\n山本 花子,やまもと,090-0000-0001\r\n誤り,abc,1\r\n".encode(),
        )
    sheet = make_sheet_response(salon_a)
    with scope(salon=salon_a.salon):  # the salon asks to show the photo as its work: 許可 / 許可しない
        portfolio_ask(item=karte.items.get(kind="photo"), actor=salon_a.owner.user)
        # …and it was taken from the front: the photos-by-angle pages show it.
        karte.items.filter(kind="photo").update(angle=PhotoAngle.objects.get(name="正面"))
    with scope(salon=salon_a.salon):  # a second record of the customer: 「重複の可能性」 on her page
        customer_create(
            salon=salon_a.salon, actor=None,
            data={"name": "森川 さき", "kana": "もりかわ さき", "phone": salon_a.customer.phone},
        )  # fmt: skip
    with scope(salon=salon_a.salon):
        appointment = appointment_book(
            salon=salon_a.salon, actor=None, customer=salon_a.customer, staff=salon_a.stylist,
            starts_at=datetime.datetime(2026, 12, 10, 1, 0, tzinfo=datetime.UTC),
            menus=list(MenuItem.objects.all()[:2]),
        )  # fmt: skip
    with scope(salon=salon_a.salon):
        sheet_preset_apply(salon=salon_a.salon, salon_type="eyelash", actor=None)
        _link, token = sheet_link_create(salon=salon_a.salon, actor=None, single_use=False)
    return {
        "karte": karte,
        "notice": notice,
        "credential": credential,
        "import": staged,
        "sheet": sheet,
        "sheet_token": token,
        "appointment": appointment,
    }


@pytest.mark.parametrize("language", ["ja", "en"])
def test_staff_pages_have_no_serious_accessibility_problems(
    browser, live_server, salon_a, world, language, screenshot, settings
):
    from push.keys import vapid_pair_new

    # With push set up, so that its parts of the pages (the notice list's column, 分析) are checked too.
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = vapid_pair_new()
    context = browser.new_context(viewport=TABLET, locale="ja-JP", timezone_id="Asia/Tokyo")
    try:
        page = context.new_page()
        host = urlparse(live_server.url).hostname
        context.add_cookies([{"name": "django_language", "value": language, "domain": host, "path": "/"}])
        page.goto(f"{live_server.url}/login/")
        login_problems = violations(page)
        page.context.clear_cookies()
        log_in(page, live_server, "salon-a-owner", "pw-owner-123")
        context.add_cookies([{"name": "django_language", "value": language, "domain": host, "path": "/"}])
        customer, karte, notice = salon_a.customer.pk, world["karte"].pk, world["notice"].pk
        pages = [
            "/customers/",
            "/customers/?q=もりかわ",
            "/customers/new/",
            f"/customers/{customer}/",
            f"/customers/{customer}/edit/",
            f"/customers/{customer}/preview/",
            f"/customers/{customer}/preview/phone/",
            f"/customers/{customer}/kartes/new/",
            f"/kartes/{karte}/edit/",
            f"/kartes/{karte}/delete/",
            f"/customers/{customer}/notices/new/",
            "/notices/",
            "/notices/new/",
            f"/notices/{notice}/edit/",
            "/salon/settings/",
            "/salon/staff/",
            "/salon/staff/new/",
            "/salon/staff/invite/",
            "/account/",
            "/account/two-factor/",
            "/appointments/?date=2026-12-10",
            "/appointments/new/?q=もりかわ",
            f"/appointments/new/?customer={customer}&start=2026-12-10T11:00",
            f"/appointments/{world['appointment'].pk}/",
            f"/salon/staff/{salon_a.stylist.pk}/shifts/",
            f"/appointments/week/{salon_a.stylist.pk}/?date=2026-12-10",
            "/appointments/requests/",
            "/salon/data/appointments/",
            "/customers/duplicates/",
            "/salon/retention/",
            f"/salon/staff/{salon_a.stylist.pk}/edit/",
            "/salon/audit/",
            f"/customers/{customer}/erase/",
            "/salon/menu/",
            "/salon/menu/items/new/",
            "/salon/menu/categories/new/",
            "/salon/data/",
            "/salon/followups/",
            "/salon/angles/",
            "/salon/push/",
            "/salon/analytics/",
            f"/salon/data/import/{world['import'].pk}/",
            f"/kartes/{karte}/print/",
            f"/customers/{customer}/print/",
            f"/customers/{customer}/angles/",
            "/sheets/",
            f"/sheets/{world['sheet'].pk}/",
            f"/sheets/{world['sheet'].pk}/?q=さとう",
            f"/sheets/{world['sheet'].pk}/print/",
            "/salon/sheet/",
            "/salon/sheet/questions/new/",
            f"/salon/sheet/questions/{world['sheet'].question.pk}/",
        ]
        found = {"/login/": login_problems} if login_problems else {}
        for path in pages:
            response = page.goto(f"{live_server.url}{path}")
            assert response and response.status == 200, path
            assert page.locator("html").get_attribute("lang") == language
            problems = violations(page)
            if problems:
                found[path] = problems
            if language == "en" and path == f"/customers/{customer}/":
                page.set_viewport_size({"width": TABLET["height"], "height": TABLET["width"]})
                screenshot(page, "20-customer-page-english-ipad-landscape", full_page=True)
                page.set_viewport_size(TABLET)
        # The counter's QR code, shown after a tap.
        page.goto(f"{live_server.url}/sheets/")
        page.locator("form.sheet-way").first.get_by_role("button").click()
        page.wait_for_selector(".sheet-link__qr svg")
        if problems := violations(page):
            found["/sheets/links/new/"] = problems
        assert found == {}, "\n".join(
            f"{path}: {problem}" for path, problems in found.items() for problem in problems
        )
    finally:
        context.close()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_app_pages_have_no_serious_accessibility_problems(
    browser, live_server, salon_a, world, language, screenshot
):
    context = browser.new_context(**{**PHONE, "service_workers": "block"})
    try:
        page = context.new_page()
        host = urlparse(live_server.url).hostname
        app = "/s/salon-a/app/"
        context.add_cookies([{"name": "django_language", "value": language, "domain": host, "path": "/"}])
        found = {}
        # Unlinked first: the install guide and the linking card.
        page.goto(f"{live_server.url}{app}")
        found[f"{app} (not linked)"] = violations(page)
        context.add_cookies(
            [{"name": "karte_device", "value": world["credential"], "domain": host, "path": app}]
        )
        in_five_days = (timezone.now() + datetime.timedelta(days=5)).replace(minute=0, second=0)
        with scope(salon=salon_a.salon):
            type(salon_a.salon).objects.filter(pk=salon_a.salon.pk).update(app_booking="requests")
            coming = appointment_book(
                salon=salon_a.salon, actor=None, customer=salon_a.customer, staff=salon_a.owner,
                starts_at=in_five_days,
            )  # fmt: skip
        for path in (
            app,
            f"{app}booking/",
            f"{app}appointments/{coming.pk}/change/",
            f"{app}kartes/{world['karte'].pk}/",
            f"{app}timeline/",
            f"{app}notices/",
            f"{app}notices/{world['notice'].pk}/",
            f"{app}settings/",
            f"{app}salon/",
            f"{app}offline/",
            f"{app}sheet/",
            f"{app}sheet/?sent=1",
            f"/s/salon-a/sheet/{world['sheet_token']}/",
            "/s/salon-a/sheet/sent/",
        ):
            response = page.goto(f"{live_server.url}{path}")
            assert response and response.status == 200, path
            found[path] = violations(page)
            if language == "en" and path == f"{app}kartes/{world['karte'].pk}/":
                screenshot(page, "21-phone-karte-english", full_page=True)
        assert {path: problems for path, problems in found.items() if problems} == {}
    finally:
        context.close()


def test_the_app_of_a_salon_without_the_option_has_no_serious_accessibility_problems(
    browser, live_server, salon_a
):
    salon_a.salon.customer_app_enabled = False
    salon_a.salon.save()
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/s/salon-a/app/")
        assert violations(page) == []
    finally:
        context.close()


def test_the_check_finds_a_real_problem(browser, live_server):
    """The check itself: a page with an unlabelled field and grey-on-grey text fails it."""
    context = browser.new_context(viewport=TABLET)
    try:
        page = context.new_page()
        page.set_content(
            '<html lang="ja"><body><main><h1>x</h1><input type="text">'
            '<p style="color:#bbb;background:#ccc">読みにくい文字</p></main></body></html>'
        )
        problems = " ".join(violations(page))
        assert "label" in problems and "color-contrast" in problems
    finally:
        context.close()
