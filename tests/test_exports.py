"""Exports for the owner: customers and kartes as CSV that Japanese Excel opens (Shift_JIS or UTF-8
with BOM), everything as a ZIP with the photos; made on the task queue with progress, downloadable
for a day, audited; and an export imports back into a new salon unchanged."""

import csv
import datetime
import io
import zipfile

import psycopg
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from audit.models import AuditEntry
from customers.models import Customer
from kartes.models import ItemKind
from kartes.services import ItemInput, karte_create
from menus.services import menu_category_save, menu_item_save
from transfer import actions as transfer_actions
from transfer import exports
from transfer.models import ExportJob, ExportStatus
from transfer.tasks import exports_requeue_stalled

from .factories import make_karte

# Exports stream through server-side cursors, which a pool turns off: run directly too.
pytestmark = pytest.mark.unpooled

DATA = reverse("staff:data")
CREATE = reverse("staff:export_create")


@pytest.fixture
def held_exports(monkeypatch):
    """Export requests kept instead of sent to the queue; run() does what the worker does."""
    held = []

    def hold(task, *args):
        held.append((task, args))
        return True

    monkeypatch.setattr(exports, "enqueue_safely", hold)

    def run():
        while held:
            task, args = held.pop(0)
            task.call_local(*args)

    return run


def rows_of(data: bytes, encoding: str):
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


def download(client, job):
    response = client.get(reverse("staff:export_download", args=[job.pk]))
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_customer_csv_in_shift_jis_is_made_in_the_background_with_progress(
    salon_a, own_storage, held_exports
):
    with salon_a.scope():
        Customer.objects.filter(pk=salon_a.customer.pk).update(allergies="ジアミン", postcode="150-0001")
    client = salon_a.client()
    response = client.post(CREATE, {"kind": "customers", "encoding": "cp932"})
    assert response.status_code == 302
    page = client.get(DATA).content.decode()
    assert "待機中 0%" in page and 'hx-trigger="every 2s"' in page  # the list keeps itself up to date
    held_exports()
    with salon_a.scope():
        job = ExportJob.objects.get()
    assert job.status == ExportStatus.READY and job.percent == 100
    fragment = client.get(reverse("staff:export_list")).content.decode()
    assert "ダウンロード" in fragment and "every 2s" not in fragment
    data = download(client, job)
    rows = rows_of(data, "cp932")
    assert rows[0][:3] == ["顧客番号", "氏名", "フリガナ"]
    assert rows[1][:3] == ["00001", "森川 紗季", "もりかわ さき"]
    assert rows[1][8] == "150-0001" and rows[1][10] == "ジアミン"
    assert data.count(b"\r\n") == 3  # Excel's line ends
    with salon_a.scope():
        steps = list(
            AuditEntry.objects.filter(action=transfer_actions.DATA_EXPORT).values_list(
                "data__step", flat=True
            )
        )
    assert sorted(steps) == ["downloaded", "requested"]


def test_progress_moves_while_the_file_is_made(salon_a, own_storage, held_exports, monkeypatch):
    seen = []
    real = exports._progress
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(exports, "CHUNK", 1)  # written a slice at a time: here, a row

    def spy(job, done):
        seen.append(done)
        real(job, done)

    monkeypatch.setattr(exports, "_progress", spy)
    salon_a.client().post(CREATE, {"kind": "customers", "encoding": "utf-8-sig"})
    held_exports()
    assert seen == [1, 2, 3]  # the header and both customers


def test_characters_shift_jis_lacks_become_question_marks_and_utf8_keeps_them(
    salon_a, own_storage, held_exports
):
    with salon_a.scope():
        Customer.objects.filter(pk=salon_a.customer.pk).update(name="𠮷田 紗季")
    client = salon_a.client()
    for encoding in ("cp932", "utf-8-sig"):
        client.post(CREATE, {"kind": "customers", "encoding": encoding})
    held_exports()
    with salon_a.scope():
        utf8, sjis = ExportJob.objects.order_by("-pk")
    assert download(client, utf8).startswith(b"\xef\xbb\xbf")
    assert rows_of(download(client, utf8), "utf-8-sig")[1][1] == "𠮷田 紗季"
    assert rows_of(download(client, sjis), "cp932")[1][1] == "?田 紗季"


def test_the_karte_csv_has_one_row_per_item_with_private_ones_marked(salon_a, own_storage, held_exports):
    with salon_a.scope():
        category = menu_category_save(salon=salon_a.salon, actor=None, name="カット")
        cut = menu_item_save(salon=salon_a.salon, actor=None, category=category, name="カット", price=5500)
        karte_create(
            salon=salon_a.salon, actor=salon_a.owner.user, customer=salon_a.customer,
            treatment_date=datetime.date(2026, 11, 2), staff=salon_a.stylist, menu="", menu_item_ids=[cut.pk],
            nominated=True, items=[
                ItemInput(kind=ItemKind.TEXT, text="公開のメモ", is_public=True),
                ItemInput(kind=ItemKind.RECIPE, recipe=[{"brand": "イルミナ", "shade": "8"}], text="根元"),
            ],
        )  # fmt: skip
        karte_create(
            salon=salon_a.salon, actor=salon_a.owner.user, customer=salon_a.other_customer,
            treatment_date=datetime.date(2026, 11, 3), staff=salon_a.stylist, menu="相談のみ", items=[],
        )  # fmt: skip
    client = salon_a.client()
    client.post(CREATE, {"kind": "kartes", "encoding": "utf-8-sig"})
    held_exports()
    with salon_a.scope():
        rows = rows_of(download(client, ExportJob.objects.get()), "utf-8-sig")
    header = rows[0]
    assert header[:8] == ["顧客番号", "氏名", "来店日", "担当", "指名", "メニュー", "合計金額", "項目"]
    by_kind = {row[7]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_kind["テキスト"]["公開"] == "公開" and by_kind["テキスト"]["指名"] == "指名"
    assert by_kind["テキスト"]["合計金額"] == "5500" and by_kind["テキスト"]["来店日"] == "2026/11/02"
    assert by_kind["カラーレシピ"]["公開"] == "非公開"
    assert by_kind["カラーレシピ"]["カラーレシピ"] == "メーカー・薬剤: イルミナ、色味・レベル: 8"
    assert by_kind[""]["メニュー"] == "相談のみ"  # a karte without items still has its row


def test_the_zip_holds_both_csvs_and_every_photo(salon_a, own_storage, held_exports):
    karte = make_karte(salon_a)
    client = salon_a.client()
    client.post(CREATE, {"kind": "archive", "encoding": "utf-8-sig"})
    held_exports()
    with salon_a.scope():
        job = ExportJob.objects.get()
        photo = karte.items.get(kind="photo").image
    archive = zipfile.ZipFile(io.BytesIO(download(client, job)))
    names = archive.namelist()
    assert {"customers.csv", "kartes.csv"} <= set(names)
    photo_names = [name for name in names if name.startswith("photos/00001/")]
    assert len(photo_names) == 1 and photo_names[0].endswith(".jpg")
    with default_storage.open(photo.original.name, "rb") as original:
        assert archive.read(photo_names[0]) == original.read()
    karte_rows = rows_of(archive.read("kartes.csv"), "utf-8-sig")
    assert photo_names[0] in [row[-1] for row in karte_rows]
    assert job.filename.startswith("karte-salon-a-") and job.filename.endswith(".zip")


def test_an_export_is_kept_a_day(salon_a, own_storage, held_exports):
    client = salon_a.client()
    client.post(CREATE, {"kind": "customers", "encoding": "utf-8-sig"})
    held_exports()
    with salon_a.scope():
        job = ExportJob.objects.get()
    assert job.expires_at and job.finished_at
    assert job.expires_at - job.finished_at == datetime.timedelta(days=1)
    stored = job.file.name
    with scopes_disabled():
        ExportJob.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("staff:export_download", args=[job.pk]))
    assert response.status_code == 410
    assert "このファイルは削除されました" in response.content.decode()
    with scopes_disabled():
        assert exports.exports_expire(now=timezone.now()) == 1
    assert not default_storage.exists(stored)


def test_a_worker_that_died_is_replaced_then_given_up_on(salon_a, own_storage, held_exports):
    salon_a.client().post(CREATE, {"kind": "customers", "encoding": "utf-8-sig"})  # held: never runs
    long_ago = timezone.now() - datetime.timedelta(minutes=10)
    with scopes_disabled():
        ExportJob.objects.update(status=ExportStatus.RUNNING, heartbeat_at=long_ago)
        exports_requeue_stalled.call_local()
        job = ExportJob.objects.get()
        assert job.attempts == 1 and job.heartbeat_at and job.heartbeat_at > long_ago
        held_exports()  # the new attempt runs to the end
        assert ExportJob.objects.get().status == ExportStatus.READY
        ExportJob.objects.update(status=ExportStatus.RUNNING, heartbeat_at=long_ago, attempts=2)
        exports_requeue_stalled.call_local()
        assert ExportJob.objects.get().status == ExportStatus.FAILED
    page = salon_a.client().get(DATA).content.decode()
    assert "作成できませんでした。もう一度お試しください。" in page


def round_trip(source, target, held_exports, *, fields, encoding="cp932", accept_shared=True) -> tuple:
    """The source salon's customers before, exported as the owner does, imported into the target
    salon (just moving in, so without customers of its own) as its owner does: (before, after)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    with source.scope():
        before = list(Customer.objects.order_by("number").values(*fields))
    client = source.client()
    client.post(CREATE, {"kind": "customers", "encoding": encoding})
    held_exports()
    with source.scope():
        data = download(client, ExportJob.objects.order_by("-pk").first())
    with scopes_disabled():
        Customer.objects.filter(salon=target.salon).delete()
    other = target.client()
    response = other.post(
        reverse("staff:customer_import_upload"), {"file": SimpleUploadedFile("e.csv", data)}
    )
    preview = other.get(response.url).context
    assert (preview["valid_count"], preview["invalid_count"]) == (len(before), 0)
    answer = {"expected": str(preview["valid_count"]), "expected_unshared": str(preview["unshared_count"])}
    other.post(response.url, {**answer, "accept_shared": "1"} if accept_shared else answer)
    with scope(salon=target.salon):
        return before, list(Customer.objects.order_by("number").values(*fields))


def test_an_export_imports_back_into_a_new_salon_unchanged(salon_a, salon_b, own_storage, held_exports):
    fields = ["number", "name", "kana", "phone", "other_phone", "email", "birthday", "gender", "postcode",
              "address", "allergies", "memo"]  # fmt: skip
    with salon_a.scope():
        Customer.objects.filter(pk=salon_a.customer.pk).update(
            other_phone="03-1234-5678", email="saki@example.jp", birthday=datetime.date(1990, 4, 1),
            gender="no_answer", postcode="150-0001", address="渋谷区神宮前1-2-3",
            allergies="ジアミン\n金属", memo="前髪短め, 話好き",
        )  # fmt: skip
    before, after = round_trip(salon_a, salon_b, held_exports, fields=fields)
    assert len(before) == 2 and after == before


def test_a_salon_whose_families_share_mobiles_round_trips(salon_a, salon_b, own_storage, held_exports):
    with salon_a.scope():
        for name in ("森川 陽菜", "森川 蓮"):
            number = Customer.objects.count() + 1
            phone = salon_a.customer.phone
            Customer.objects.create(
                salon=salon_a.salon, name=name, kana="もりかわ", phone=phone, number=number
            )
    before, after = round_trip(salon_a, salon_b, held_exports, fields=("number", "name", "kana", "phone"))
    assert len({row["phone"] for row in before if row["name"].startswith("森川")}) == 1
    assert len(before) == 4 and after == before


def test_stylists_cannot_export_or_download(salon_a, own_storage, held_exports):
    salon_a.client().post(CREATE, {"kind": "customers", "encoding": "cp932"})
    held_exports()
    stylist = salon_a.client(salon_a.stylist)
    with salon_a.scope():
        job = ExportJob.objects.get()
    assert stylist.get(reverse("staff:export_download", args=[job.pk])).status_code == 403
    assert stylist.post(CREATE, {"kind": "customers", "encoding": "cp932"}).status_code == 403
    assert stylist.get(DATA).status_code == 403


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.DB_POOLED, reason="needs PgBouncer in transaction mode in front")
def test_an_export_streams_through_the_pool_while_another_client_takes_the_server_it_began_on(
    salon_a, monkeypatch
):
    """PgBouncer hands the server a read began on to the next client (the most recently used first):
    the read's cursor must live in a transaction of its own, or its next fetch finds no cursor."""
    monkeypatch.setattr(exports, "CHUNK", 1)
    with scope(salon=salon_a.salon):
        expected = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
        rows = exports._driver_rows(Customer.objects.order_by("pk").values_list("pk"))
        first = next(rows)
        params = connection.settings_dict
        other = psycopg.connect(
            host=params["HOST"], port=params["PORT"], dbname=params["NAME"], user=params["USER"]
        )
        try:
            other.execute("SELECT 1")  # a transaction begun, holding a server until it ends
            rest = list(rows)
        finally:
            other.close()
    assert [row[0] for row in [first, *rest]] == expected
    assert len(expected) >= 2
