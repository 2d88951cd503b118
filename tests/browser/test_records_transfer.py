"""The owner on a tablet moves records in and out: a customer book from Excel (Shift_JIS) checked
row by row and imported, everything exported as a ZIP, and a customer's history printed on A4."""

import io
import zipfile
from pathlib import Path

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from customers.models import Customer
from tests.factories import make_karte
from transfer.customer_csv import encode_csv

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_book_from_excel_is_checked_then_imported(
    live_server, tablet, salon_a, tmp_path, screenshot
):
    book = tmp_path / "顧客台帳.csv"
    book.write_bytes(
        encode_csv(
            [
                ["会員番号", "氏名", "フリガナ", "携帯", "生年月日"],
                ["120", "山本 花子", "ﾔﾏﾓﾄ ﾊﾅｺ", "090-7777-0001", "1990/4/1"],
                ["", "鈴木 太郎", "スズキ タロウ", "080-7777-0002", ""],
                ["", "番号 誤り", "Bangou", "123", ""],
            ],
            "cp932",
        )
    )
    page = tablet
    log_in(page, live_server, "salon-a-owner", "pw-owner-123")
    page.get_by_role("link", name="サロン管理").click()
    page.get_by_role("link", name="データの取り込み・書き出し").click()
    page.get_by_label("顧客CSVファイル").set_input_files(str(book))
    page.get_by_role("button", name="ファイルを確認").click()
    expect(page.locator(".import-count--ok")).to_have_text("2 件を取り込めます")
    expect(page.locator(".import-count--bad")).to_have_text("1 件に問題があり、取り込みません")
    problems = page.locator(".import-errors").first
    expect(problems).to_contain_text("フリガナ「Bangou」がひらがな・カタカナではありません。")
    expect(problems).to_contain_text("電話番号「123」が10〜11桁ではありません。")
    screenshot(page, "25-import-preview", full_page=True)
    page.get_by_role("button", name="2 件を取り込む").click()
    expect(page.locator(".message")).to_contain_text("2 件の顧客を取り込みました。")
    expect(page.locator(".customer-list")).to_contain_text("00120")
    with scope(salon=salon_a.salon):
        assert Customer.objects.get(name="鈴木 太郎").number == 121


def test_everything_is_exported_as_a_zip_and_downloaded(live_server, tablet, salon_a, screenshot):
    make_karte(salon_a)
    page = tablet
    log_in(page, live_server, "salon-a-owner", "pw-owner-123")
    page.goto(f"{live_server.url}/salon/data/")
    page.get_by_label("すべて・写真付き（ZIP）").check()
    page.get_by_label("UTF-8 BOM付き", exact=False).check()
    page.get_by_role("button", name="書き出しを作成").click()
    expect(page.locator(".message")).to_contain_text("書き出しを作成しています。")
    link = page.locator(".export-row").first.get_by_role("link", name="ダウンロード")
    expect(link).to_be_visible()  # the test's queue runs the task at once; a real one takes a while
    screenshot(page, "26-exports")
    with page.expect_download() as caught:
        link.click()
    download = caught.value
    assert download.suggested_filename.endswith(".zip")
    names = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes())).namelist()
    assert "customers.csv" in names and any(name.startswith("photos/00001/") for name in names)


@pytest.mark.parametrize("viewport", [{"width": 1180, "height": 820}, {"width": 820, "height": 1180}],
                         ids=["landscape", "portrait"])  # fmt: skip
def test_after_asking_for_an_export_its_row_is_on_screen(live_server, tablet, salon_a, viewport, screenshot):
    page = tablet
    page.set_viewport_size(viewport)
    log_in(page, live_server, "salon-a-owner", "pw-owner-123")
    page.goto(f"{live_server.url}/salon/data/")
    page.get_by_label("顧客（CSV）").check()
    page.get_by_role("button", name="書き出しを作成").click()
    said = page.locator("#exports .message")
    expect(said).to_contain_text("書き出しを作成しています。")
    row = page.locator(".export-row").first
    expect(said).to_be_in_viewport()
    expect(row).to_be_in_viewport()
    screenshot(page, f"26-exports-{'landscape' if viewport['width'] > viewport['height'] else 'portrait'}")


def test_a_history_prints_on_a4_with_its_photos(live_server, tablet, salon_a, screenshot):
    make_karte(salon_a, text="根元は明るめに")
    page = tablet
    log_in(page, live_server, "salon-a-stylist", "pw-stylist-123")
    page.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/")
    page.get_by_role("link", name="履歴を印刷").click()
    expect(page.locator(".print-karte")).to_have_count(1)
    photo = page.locator(".print-item img").first
    expect(photo).to_be_visible()
    expect(photo).to_have_js_property("complete", True)  # loaded, however busy the machine
    assert photo.evaluate("img => img.naturalWidth > 0")
    screenshot(page, "27-print-history")
    page.emulate_media(media="print")
    expect(page.locator(".print-bar")).to_be_hidden()
    pdf = page.pdf(format="A4", print_background=True)
    assert (
        pdf.startswith(b"%PDF")
        and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page\r") + pdf.count(b"/Type/Page") >= 0
    )
