"""Consent that stands up: each sent sheet keeps the numbered wording it showed (consent and
questions, with their SHA-256), the server's time, how it was reached, the linked phone, and a
SHA-256 over everything sent; the staff page and the A4 print show the line, and verify_media
finds any sheet changed since."""

import copy
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from counselling.consent import record_sha256
from counselling.models import SheetResponse, SheetVersion
from counselling.services import sheet_get, sheet_response_file

from .factories import make_sheet_response


def _line(world, response) -> str:
    page = (
        world.client(world.owner)
        .get(reverse("staff:sheet_detail", kwargs={"pk": response.pk}))
        .content.decode()
    )
    found = re.search(r'<p class="sheet-record">(.*?)</p>', page, re.S)
    assert found is not None, "no record line on the sheet's page"
    return re.sub(r"<[^>]+>", "", found.group(1))


def test_the_sheet_page_and_the_print_show_what_was_agreed_when_and_how(salon_a):
    response = make_sheet_response(salon_a)
    line = _line(salon_a, response)
    assert re.fullmatch(
        r"同意文 v1 · \d{4}-\d\d-\d\d \d\d:\d\d:\d\d JST · 受付のQRコード · 照合値 [0-9a-f]{16}…", line
    ), line
    with scopes_disabled():
        response.refresh_from_db()
        assert response.form_version.form["consent_text"] == "施術内容に同意します。"
        assert [q["label"] for q in response.form_version.form["questions"]] == ["本日のご希望"]
    printed = salon_a.client(salon_a.owner).get(reverse("staff:sheet_print", kwargs={"pk": response.pk}))
    assert response.record_sha256 in printed.content.decode()  # the whole value on paper


def test_a_new_wording_is_a_new_version_and_the_old_wording_its_old_number(salon_a):
    first = make_sheet_response(salon_a)
    with scope(salon=salon_a.salon):
        sheet = sheet_get(salon=salon_a.salon)
    # make_sheet_response sets this same consent again and adds its question again: a new wording.
    second = make_sheet_response(salon_a, question="前回からの変化")
    with scope(salon=salon_a.salon):
        versions = dict(SheetResponse.objects.values_list("pk", "form_version__number"))
        assert versions == {first.pk: 1, second.pk: 2}
        assert SheetVersion.objects.count() == 2
        assert sheet.consent_text == "施術内容に同意します。"


def test_a_sheet_from_the_app_names_the_linked_phone(salon_a):
    from linking.models import Device

    from .linking_helpers import app_url, linked_phone

    make_sheet_response(salon_a)  # the salon's questions
    phone = linked_phone(salon_a)
    page = phone.get(app_url(salon_a, "sheet")).content.decode()
    token = re.search(r'name="client_key" value="([^"]+)"', page)
    data = {"client_key": token.group(1) if token else ""}
    with scopes_disabled():
        question = SheetResponse.objects.get().answers[0]["question"]
    data[f"q{question}"] = "前髪を短く"
    data.update({"agree": "on", "signature": _signature()})
    sent = phone.post(app_url(salon_a, "sheet"), data)
    assert sent.status_code == 302, sent.content.decode()[:2000]
    with scopes_disabled():
        response = SheetResponse.objects.filter(source="app").get()
        device = Device.objects.get(customer=salon_a.customer)
    assert response.device_label == f"#{device.pk} {device.label}"
    assert f"連携端末 #{device.pk}" in _line(salon_a, response)


def _signature() -> str:
    from .factories import signature_data_url

    return signature_data_url()


def test_filing_keeps_the_record_and_any_change_shows_in_verify_media(salon_a, own_storage):
    response = make_sheet_response(salon_a)
    with scope(salon=salon_a.salon):
        sheet_response_file(response=response, customer=salon_a.customer, actor=salon_a.owner.user)
        response.refresh_from_db()
    assert record_sha256(response) == response.record_sha256  # filing is not editing
    out = io.StringIO()
    call_command("verify_media", stdout=out)
    assert "All files are present and intact." in out.getvalue(), out.getvalue()

    with scopes_disabled():
        answers = copy.deepcopy(response.answers)
        answers[0]["value"] = "全体を短く"  # what was not answered
        SheetResponse.objects.filter(pk=response.pk).update(answers=answers)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_media", stdout=out)
    altered = "Records changed since they were sent (a signed sheet no longer matches its SHA-256)"
    assert f"{altered}: 1\n  sheet {response.pk}" in out.getvalue()

    with scopes_disabled():
        SheetResponse.objects.filter(pk=response.pk).update(answers=response.answers)
        call_command("verify_media", stdout=io.StringIO())  # restored: whole again
        version = response.form_version
        form = version.form
        form["consent_text"] = "別の同意文"
        SheetVersion.objects.filter(pk=version.pk).update(form=form)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_media", stdout=out)
    assert f"sheet {response.pk}: its version 1 was altered" in out.getvalue()
