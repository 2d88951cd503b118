"""The customer's data rights (APPI): the owner downloads everything about one customer as a ZIP,
deletes a customer for good after typing their name, and sees the customer's own request."""

import io
import json
import zipfile

from django.core.files.storage import default_storage
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from audit.models import AuditEntry
from customers.models import Customer
from kartes.models import ImageAsset, Karte
from linking.models import Device
from operations import actions as operations_actions
from privacy import actions as privacy_actions
from privacy.models import DataRequest

from .factories import make_karte, make_notice, make_sheet_response
from .linking_helpers import app_url, linked_phone


def _export(client, customer):
    return client.post(reverse("staff:customer_export", kwargs={"pk": customer.pk}))


def test_the_owner_downloads_everything_about_one_customer(salon_a, own_storage):
    karte = make_karte(salon_a, public_text=True, text="公開のメモ")
    make_karte(salon_a, customer=salon_a.other_customer, text="別のお客様のメモ")
    make_notice(salon_a, customer=salon_a.customer, title="森川様へのお知らせ")
    linked_phone(salon_a)
    response = _export(salon_a.client(), salon_a.customer)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/zip"
    chunks = list(response.streaming_content)
    assert len(chunks) > 5  # written piece by piece, not built whole first
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    names = archive.namelist()
    assert "README.txt" in names
    assert "保管しているあなたのデータ" in archive.read("README.txt").decode()
    assert json.loads(archive.read("customer.json"))["name"] == salon_a.customer.name
    kartes = json.loads(archive.read("kartes.json"))
    items = {item["kind"]: item for item in kartes[0]["items"]}
    assert items["text"]["shown_in_app"] == "公開" and items["photo"]["shown_in_app"] == "非公開"
    with scope(salon=salon_a.salon):
        image = karte.items.get(kind="photo").image
    original = next(name for name in names if name.endswith("_original.jpg"))
    assert archive.read(original) == default_storage.open(image.original.name).read()
    assert json.loads(archive.read("notices.json"))["to_this_customer"][0]["title"] == "森川様へのお知らせ"
    assert len(json.loads(archive.read("phones.json"))) == 1
    everything = b"".join(archive.read(name) for name in names if name.endswith((".json", ".txt"))).decode()
    assert "別のお客様のメモ" not in everything
    assert salon_a.other_customer.name not in everything
    with scope(salon=salon_a.salon):
        assert AuditEntry.objects.filter(
            action=privacy_actions.CUSTOMER_EXPORT, target_id=str(salon_a.customer.pk)
        ).exists()


def test_only_the_owner_may_export_or_delete(salon_a):
    stylist = salon_a.client(salon_a.stylist)
    assert _export(stylist, salon_a.customer).status_code == 403
    url = reverse("staff:customer_erase", kwargs={"pk": salon_a.customer.pk})
    assert stylist.post(url, {"confirm_name": salon_a.customer.name}).status_code == 403
    with scope(salon=salon_a.salon):
        assert Customer.objects.filter(pk=salon_a.customer.pk).exists()


def test_deleting_needs_the_name_typed_and_then_removes_everything(
    salon_a, own_storage, django_capture_on_commit_callbacks
):
    karte = make_karte(salon_a, public_photo=True)
    make_notice(salon_a, customer=salon_a.customer)
    phone = linked_phone(salon_a)
    with scope(salon=salon_a.salon):
        image = karte.items.get(kind="photo").image
    files = [image.original.name, image.large.name, image.small.name]
    url = reverse("staff:customer_erase", kwargs={"pk": salon_a.customer.pk})
    owner = salon_a.client()

    wrong = owner.post(url, {"confirm_name": "森川"})
    assert wrong.status_code == 422
    assert "表示どおりにお客様の名前を入力してください" in wrong.content.decode()
    with scope(salon=salon_a.salon):
        assert Customer.objects.filter(pk=salon_a.customer.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = owner.post(url, {"confirm_name": "森川　紗季"})  # a full-width space is the same name
    assert done.status_code == 302
    with scope(salon=salon_a.salon):
        assert not Customer.objects.filter(pk=salon_a.customer.pk).exists()
        assert not Karte.objects.filter(customer_id=salon_a.customer.pk).exists()
        assert not ImageAsset.objects.filter(pk=image.pk).exists()
        assert not Device.objects.filter(customer_id=salon_a.customer.pk).exists()
        erased = AuditEntry.objects.get(action=privacy_actions.CUSTOMER_ERASE)
        assert erased.summary == f"#{salon_a.customer.pk}"
        logged = json.dumps(list(AuditEntry.objects.values("summary", "data")), ensure_ascii=False)
    assert salon_a.customer.name not in logged
    assert not any(default_storage.exists(name) for name in files)
    # The phone finds itself unlinked on its next request.
    unlinked = phone.get(app_url(salon_a)).content.decode()
    assert "この端末の連携は解除されました" in unlinked
    assert 'data-clear-personal="true"' in unlinked  # and it empties its cache


def test_the_customer_asks_from_the_app_and_staff_see_it(salon_a):
    phone = linked_phone(salon_a)
    assert "データの開示・削除を依頼" in phone.get(app_url(salon_a, "settings")).content.decode()
    for _ in range(2):
        assert phone.post(app_url(salon_a, "data_request")).status_code == 302
    with scopes_disabled():
        assert DataRequest.objects.filter(customer=salon_a.customer).count() == 1
        request = DataRequest.objects.get()
    assert "サロンに届いています" in phone.get(app_url(salon_a, "settings")).content.decode()
    owner = salon_a.client()
    page = owner.get(reverse("staff:customer_detail", kwargs={"pk": salon_a.customer.pk})).content.decode()
    assert "データの開示・削除の依頼があります" in page
    owner.post(
        reverse("staff:data_request_done", kwargs={"pk": salon_a.customer.pk, "request_pk": request.pk})
    )
    page = owner.get(reverse("staff:customer_detail", kwargs={"pk": salon_a.customer.pk})).content.decode()
    assert "データの開示・削除の依頼があります" not in page
    with scopes_disabled():
        assert AuditEntry.objects.filter(action=privacy_actions.DATA_REQUEST).count() == 1


def test_the_operator_exports_and_deletes_a_whole_salon(
    salon_a, salon_b, own_storage, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from salons.models import Salon

    make_karte(salon_a, public_photo=True)
    make_karte(salon_b)
    linked_phone(salon_a)
    output = tmp_path / "salon-a.zip"
    call_command("export_salon", slug="salon-a", output=str(output))
    archive = zipfile.ZipFile(output)
    names = archive.namelist()
    assert {"salon.json", "staff.json"} <= set(names)
    assert f"customers/{salon_a.customer.pk}/customer.json" in names
    assert any(name.endswith("_original.jpg") for name in names)
    assert (
        salon_b.customer.name not in b"".join(archive.read(n) for n in names if n.endswith(".json")).decode()
    )
    with scope(salon=salon_a.salon):
        assert AuditEntry.objects.filter(action=operations_actions.SALON_EXPORT).count() == 1

    from transfer.exports import export_request

    with scope(salon=salon_a.salon):
        export = export_request(
            salon=salon_a.salon, actor=salon_a.owner.user, kind="archive", encoding="cp932"
        )
        export.refresh_from_db()
    with scopes_disabled():
        files_a = [
            f.name
            for a in ImageAsset.objects.filter(salon=salon_a.salon)
            for f in (a.original, a.large, a.small)
        ]
        files_a.append(export.file.name)  # an export not yet expired goes with its salon
    # Counselling sheets' signatures, filed onto a customer or still waiting, go too.
    files_a.append(make_sheet_response(salon_a).signature.name)
    files_a.append(make_sheet_response(salon_a, customer=salon_a.customer).signature.name)
    assert default_storage.exists(export.file.name)
    try:
        call_command("delete_salon", slug="salon-a", confirm="salon-b")
    except CommandError:
        pass
    else:
        raise AssertionError("a mistyped confirmation must stop the deletion")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("delete_salon", slug="salon-a", confirm="salon-a")
    with scopes_disabled():
        assert not Salon.objects.filter(slug="salon-a").exists()
        assert not Customer.objects.filter(salon_id=salon_a.salon.pk).exists()
        assert Customer.objects.filter(salon=salon_b.salon).count() == 2  # the other salon is untouched
    assert not any(default_storage.exists(name) for name in files_a)


def test_the_customers_export_reads_the_same_queries_for_2_kartes_or_12(salon_a, own_storage):
    """Each part reads its rows together, never one query per karte (kartes with their items,
    sheets, notices, appointments)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from privacy.services import customer_export_plan

    def queries() -> int:
        with scope(salon=salon_a.salon), CaptureQueriesContext(connection) as captured:
            customer_export_plan(customer=salon_a.customer, actor=salon_a.owner.user)
        return len(captured)

    for _ in range(2):
        make_karte(salon_a, public_text=True)
    few = queries()
    for _ in range(10):
        make_karte(salon_a, public_text=True)
    assert queries() == few
