"""Customer CSV import as a salon moving in does it: files as Japanese Excel saves them (Shift_JIS
with CRLF, UTF-8 with BOM), Japanese or English headers in any order, a preview with every row's
problems in Japanese, then all valid rows in one transaction, or none."""

import datetime

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from audit.models import AuditEntry
from customers.models import Customer
from transfer import actions as transfer_actions
from transfer import customer_csv
from transfer.models import CustomerImport

UPLOAD = reverse("staff:customer_import_upload")


def excel_csv(rows, encoding="cp932") -> bytes:
    """What Excel's 「CSV（コンマ区切り）」 writes: CRLF, Shift_JIS (or UTF-8 with BOM for 「CSV UTF-8」)."""
    return customer_csv.encode_csv(rows, encoding)


def upload(client, data: bytes, name="顧客台帳.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def staged_preview(world, data: bytes):
    client = world.client()
    response = upload(client, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return client, response.url, client.get(response.url)


BOOK = [
    # Columns in Excel's order for this salon, not Karte's.
    ["フリガナ", "氏名", "生年月日", "電話番号", "〒", "住所", "性別", "会員番号", "備考"],
    [
        "ﾔﾏﾓﾄ ﾊﾅｺ",
        "山本 花子",
        "平成2年4月1日",
        "０９０－１１１１－０００１",
        "〒150-0001",
        "渋谷区神宮前1-1",
        "女",
        "101",
        "常連",
    ],
    ["スズキ タロウ", "鈴木 太郎", "1985/12/24", "080 2222 0002", "1500002", "", "男性", "", ""],
    ["たなか", "田中 まり", "19991231", "", "", "", "", "", ""],
]


def test_a_shift_jis_file_from_excel_previews_and_imports(salon_a):
    client, url, preview = staged_preview(salon_a, excel_csv(BOOK))
    page = preview.content.decode()
    assert "3 件を取り込めます" in page
    assert "文字コード Shift_JIS (CP932) として読み込みました。" in page
    response = client.post(url, {"expected": "3"})
    assert response.status_code == 302
    with salon_a.scope():
        yamamoto = Customer.objects.get(name="山本 花子")
        suzuki = Customer.objects.get(name="鈴木 太郎")
        tanaka = Customer.objects.get(name="田中 まり")
        entry = AuditEntry.objects.get(action=transfer_actions.CUSTOMER_IMPORT)
        staged = CustomerImport.objects.get()
    # The customer's own spelling, in full width: katakana stays katakana (folded only for search).
    assert (yamamoto.kana, yamamoto.phone, yamamoto.postcode) == (
        "ヤマモト ハナコ",
        "090-1111-0001",
        "150-0001",
    )
    assert yamamoto.birthday == datetime.date(1990, 4, 1) and yamamoto.gender == "female"
    assert yamamoto.number == 101 and yamamoto.memo == "常連"
    # The rows without a number follow the highest (the file's 101).
    assert (suzuki.number, tanaka.number) == (102, 103)
    assert suzuki.phone == "080-2222-0002" and suzuki.birthday == datetime.date(1985, 12, 24)
    assert entry.data["imported"] == 3 and entry.summary == "顧客台帳.csv"
    assert staged.text == "" and staged.imported_count == 3  # the personal data is not kept


def test_utf8_with_bom_and_english_headers(salon_a):
    rows = [
        ["Phone", "Furigana", "Name", "Email"],
        ["070-3333-0003", "さとう はな", "Sato Hana", "hana@example.jp"],
    ]
    client, url, preview = staged_preview(salon_a, excel_csv(rows, "utf-8-sig"))
    assert "UTF-8 (BOM)" in preview.content.decode()
    client.post(url, {"expected": "1"})
    with salon_a.scope():
        assert Customer.objects.get(name="Sato Hana").email == "hana@example.jp"


def test_utf8_without_bom_and_split_name_columns(salon_a):
    data = "姓,名,セイ,メイ,携帯\r\n小川,理沙,オガワ,リサ,090-4444-0004\r\n".encode()
    client, url, _ = staged_preview(salon_a, data)
    client.post(url, {"expected": "1"})
    with salon_a.scope():
        assert Customer.objects.get(name="小川 理沙").kana == "オガワ リサ"


@pytest.mark.parametrize("end", ["\r\n", "\n", "\r"])
def test_any_line_end_and_a_memo_of_several_lines(salon_a, end):
    """CRLF (Excel), LF, and CR alone (Excel for Mac's 「CSV (Macintosh)」); a quoted cell keeps its
    line breaks and stays one row, with the line numbers of the file."""
    memo = "前髪は短め" + end + "耳にかけない"
    lines = ["氏名,フリガナ,メモ", f'小川 理沙,オガワ リサ,"{memo}"', "高田 蓮,たかだ れん,"]
    client, url, preview = staged_preview(salon_a, (end.join(lines) + end).encode())
    assert preview.context["valid_count"] == 2
    client.post(url, {"expected": "2"})
    with salon_a.scope():
        assert Customer.objects.get(name="小川 理沙").memo == memo
        assert Customer.objects.filter(name="高田 蓮").exists()


def test_every_problem_is_listed_in_japanese_with_its_line(salon_a):
    rows = [
        ["顧客番号", "氏名", "フリガナ", "携帯電話", "生年月日", "郵便番号", "性別", "メールアドレス"],
        ["00001", "番号 重複", "ばんごう", "", "", "", "", ""],  # 00001 belongs to 森川 紗季
        ["500", "一 回目", "いっかいめ", "", "", "", "", ""],
        ["500", "二 回目", "にかいめ", "", "", "", "", ""],
        ["", "電話 重複", "でんわ", "090-1111-2222", "", "", "", ""],  # 森川 紗季's mobile
        ["", "漢字 かな", "山田", "12345", "2099/01/01", "15-0001", "不明", "not-an-email"],
        ["", "", "", "", "", "", "", ""],  # blank lines are skipped
        ["", "", "なまえなし", "", "昨日", "", "", ""],
    ]
    _, _, preview = staged_preview(salon_a, excel_csv(rows))
    page = preview.content.decode()
    assert "2 件を取り込めます" in page and "4 件に問題があり、取り込みません" in page
    for message in (
        "顧客番号 00001 はすでにサロンのお客様に使われています。",
        "顧客番号 00500 が 3 行目と重複しています。",
        "登録済みのお客様（森川 紗季）と同じ携帯電話番号です。",  # a warning, not a refusal
        "フリガナ「山田」がひらがな・カタカナではありません。",
        "電話番号「12345」が10〜11桁ではありません。",
        "生年月日「2099/01/01」が未来か1900年より前です。",
        "郵便番号「15-0001」が7桁ではありません。",
        "性別「不明」は 女性・男性・その他・回答しない のいずれかにしてください。",
        "メールアドレス「not-an-email」の形式が正しくありません。",
        "氏名が空欄です。",
        "生年月日「昨日」を日付として読めません（例: 1990/04/01）。",
    ):
        assert message in page, message
    rows_by_line = {row.line: row for row in preview.context["invalid_rows"]}
    assert set(rows_by_line) == {2, 4, 6, 8}
    assert [row.line for row in preview.context["warned_rows"]] == [5]


SHARED = [
    ["氏名", "フリガナ", "携帯電話"],
    ["森川 陽菜", "もりかわ ひな", "090-1111-2222"],  # 森川 紗季's daughter, on her mother's phone
    ["森川 蓮", "もりかわ れん", "09011112222"],  # and her brother
    ["青木 優", "あおき ゆう", "080-5555-6666"],
]


def test_family_members_sharing_a_mobile_are_imported_when_the_owner_accepts(salon_a):
    client, url, preview = staged_preview(salon_a, excel_csv(SHARED))
    page = preview.content.decode()
    assert "3 件を取り込めます" in page and "問題があり" not in page
    assert "登録済みのお客様（森川 紗季）と同じ携帯電話番号です。" in page
    assert "2 行目と同じ携帯電話番号です。" in page
    assert 'name="accept_shared" value="1" checked' in page
    assert (
        client.post(url, {"expected": "3", "expected_unshared": "1", "accept_shared": "1"}).status_code == 302
    )
    with salon_a.scope():
        assert Customer.objects.filter(phone="090-1111-2222").count() == 3


def test_rows_sharing_a_mobile_are_left_out_when_the_owner_unticks_them(salon_a):
    client, url, _preview = staged_preview(salon_a, excel_csv(SHARED))
    assert client.post(url, {"expected": "3", "expected_unshared": "1"}).status_code == 302
    with salon_a.scope():
        assert Customer.objects.filter(phone="090-1111-2222").count() == 1
        assert Customer.objects.filter(name="青木 優").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "ファイルが空です。"),  # refused by the form before it is read
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe\x80", "UTF-8 でも Shift_JIS でもないファイルです。"),
        (
            "名前だけ\r\n山田\r\n".encode("cp932"),
            "1行目に列の見出しが必要です（少なくとも「氏名」と「フリガナ」）。",
        ),
        ('氏名,フリガナ\r\n"山田,やまだ\r\n'.encode(), "行目をCSVとして読み取れませんでした。"),
    ],
    ids=["empty", "not-text", "no-headers", "open-quote"],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_reason(salon_a, data, message):
    response = upload(salon_a.client(), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    with salon_a.scope():
        assert not CustomerImport.objects.exists()


def test_the_import_is_all_or_nothing(salon_a, monkeypatch):
    """The database fails after the first batch of rows is written: none of them stay."""
    rows = [["氏名", "フリガナ"], *[[f"客 {i}", "きゃく"] for i in range(2500)]]
    client, url, _ = staged_preview(salon_a, excel_csv(rows))
    real = Customer.objects.bulk_create.__func__  # type: ignore[attr-defined]
    calls = []

    def failing_after_one_batch(manager, objs, **kwargs):
        calls.append(len(objs))
        real(manager, objs, **kwargs)  # really written, inside the import's transaction
        raise OperationalError("the database went away")

    monkeypatch.setattr(type(Customer.objects), "bulk_create", failing_after_one_batch)
    response = client.post(url, {"expected": "2500"})
    assert response.status_code == 503  # the outage page, with a way forward
    monkeypatch.undo()
    with salon_a.scope():
        assert Customer.objects.count() == 2
        assert not AuditEntry.objects.filter(action=transfer_actions.CUSTOMER_IMPORT).exists()
        assert CustomerImport.objects.get().imported_at is None
    assert len(calls) == 1 and 900 < calls[0] <= 1000  # the first batch, in whole inserts


def test_a_customer_added_meanwhile_stops_the_import_and_shows_why(salon_a):
    client, url, _ = staged_preview(salon_a, excel_csv(BOOK))
    with salon_a.scope():
        Customer.objects.create(salon=salon_a.salon, number=101, name="先に 登録", kana="さき")
    response = client.post(url, {"expected": "3"})
    page = response.content.decode()
    assert "確認のあとでサロンの顧客が変わったため、まだ何も取り込んでいません。" in page
    assert "2 件を取り込めます" in page
    with salon_a.scope():
        assert not Customer.objects.filter(name="山本 花子").exists()


def test_ten_thousand_rows_import_in_a_bounded_number_of_queries(salon_a):
    """Reads are a fixed few; writes are the database's largest batches (SQLite takes fewer rows each)."""
    rows = [
        ["氏名", "フリガナ", "携帯電話"],
        *[[f"客 {i}", "きゃく", f"090-{i // 10000:04d}-{i % 10000:04d}"] for i in range(10_000)],
    ]
    client, url, preview = staged_preview(salon_a, excel_csv(rows))
    assert preview.context["valid_count"] == 10_000
    with CaptureQueriesContext(connection) as queries:
        client.post(url, {"expected": "10000"})
    with salon_a.scope():
        assert Customer.objects.count() == 10_002
        assert Customer.objects.filter(number=10_002).exists()
    with salon_a.scope():
        batch = connection.ops.bulk_batch_size(
            [f for f in Customer._meta.concrete_fields if not f.primary_key], [None] * 10_000
        )
    writes = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(writes) <= -(-10_000 // min(batch, 1000)) + 1  # + the audit entry
    assert len(queries) - len(writes) < 15, len(queries)


def test_the_template_csv_imports_as_it_is(salon_a):
    client = salon_a.client()
    for encoding in ("cp932", "utf-8"):
        response = client.get(reverse("staff:customer_import_template"), {"encoding": encoding})
        assert response["Content-Type"] == "text/csv"
        body = response.content
        assert body.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8")
        assert body.decode("cp932" if encoding == "cp932" else "utf-8-sig").startswith(
            "顧客番号,氏名,フリガナ"
        )
    response = upload(client, body)
    preview = client.get(response.url)
    assert preview.context["valid_count"] == 1


def test_stylists_and_other_salons_cannot_reach_an_upload(salon_a, salon_b):
    _, url, _ = staged_preview(salon_a, excel_csv(BOOK))
    assert salon_a.client(salon_a.stylist).get(url).status_code == 403
    assert salon_b.client().get(url).status_code == 404
    assert salon_b.client().post(url, {"expected": "3"}).status_code == 404
    with scopes_disabled():
        assert not Customer.objects.filter(name="山本 花子").exists()


def test_uploads_not_imported_are_forgotten_after_a_day(salon_a):
    from django.utils import timezone

    from transfer.services import customer_imports_purge

    staged_preview(salon_a, excel_csv(BOOK))
    with scopes_disabled():
        CustomerImport.objects.update(created_at=timezone.now() - datetime.timedelta(days=2))
        customer_imports_purge(before=timezone.now() - datetime.timedelta(days=1))
        assert not CustomerImport.objects.exists()
    with scope(salon=salon_a.salon):
        assert Customer.objects.count() == 2
