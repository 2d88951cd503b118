"""The counselling sheet: what the owner designs, what a phone without the app may send through a
link, and what staff do with it. Real files in a storage folder of the test's own; no mocks."""

import base64
import datetime
import io
import re

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from PIL import Image

from audit.models import AuditEntry
from counselling.models import Question, QuestionKind, ResponseSource, SheetLink, SheetResponse
from counselling.selectors import own_last_answers, visit_sheet
from counselling.services import (
    SheetLinkError,
    sheet_get,
    sheet_link_create,
    sheet_preset_apply,
    sheet_response_submit,
)
from customers.models import Customer

from .factories import make_karte, make_sheet_response, signature_data_url
from .linking_helpers import linked_phone


def _ready_sheet(world):
    """The hair preset, as an owner starts it."""
    with scope(salon=world.salon):
        sheet_preset_apply(salon=world.salon, salon_type="hair", actor=world.owner.user)
        return list(Question.objects.filter(salon=world.salon))


def _link(world, *, single_use=True):
    with scope(salon=world.salon):
        link, token = sheet_link_create(salon=world.salon, actor=world.owner.user, single_use=single_use)
    return link, reverse("customer_app:sheet_public", kwargs={"slug": world.salon.slug, "token": token})


def _answers(questions, **overrides):
    """A filled-in hair sheet as the phone posts it."""
    data = {"name": "新井 まどか", "kana": "アライ マドカ", "phone": "０９０ー２２２２ー３３３３"}
    for question in questions:
        key = f"q{question.pk}"
        if question.kind == QuestionKind.YES_NO:
            data[key] = "no"
        elif question.kind == QuestionKind.SINGLE:
            data[key] = question.choices[0]
        elif question.kind == QuestionKind.MULTIPLE:
            data[key] = question.choices[:2]
        elif question.kind == QuestionKind.DATE:
            data[key] = "2026-10-01"
        else:
            data[key] = "前髪を短くしたい"
    data.update({"agree": "on", "signature": signature_data_url()})
    data.update(overrides)
    return data


def test_the_hair_preset_gives_questions_of_every_kind_and_a_consent(salon_a):
    questions = _ready_sheet(salon_a)
    assert {question.kind for question in questions} == set(QuestionKind.values)
    assert [q.label for q in questions][:2] == [
        "本日のご希望をお聞かせください",
        "カラー剤やパーマ液でかぶれたことはありますか？",
    ]
    assert any(q.label == "妊娠中・授乳中ですか？" and q.required for q in questions)
    with scope(salon=salon_a.salon):
        assert "カラー剤" in sheet_get(salon=salon_a.salon).consent_text
        # A preset is for an empty sheet only: asked again, it adds nothing.
        sheet_preset_apply(salon=salon_a.salon, salon_type="nail", actor=None)
        assert Question.objects.count() == len(questions)
        assert AuditEntry.objects.filter(action="sheet.change").count() == 1


@pytest.mark.parametrize("salon_type", ["nail", "eyelash", "esthetic"])
def test_every_kind_of_salon_has_its_own_sheet(salon_a, salon_type):
    with scope(salon=salon_a.salon):
        sheet_preset_apply(salon=salon_a.salon, salon_type=salon_type, actor=None)
        labels = " ".join(Question.objects.values_list("label", flat=True))
    assert {"nail": "ジェル", "eyelash": "コンタクトレンズ", "esthetic": "肌質"}[salon_type] in labels


def test_the_owner_adds_a_choice_question_and_is_told_when_choices_are_missing(salon_a):
    owner = salon_a.client()
    url = reverse("staff:question_create")
    response = owner.post(url, {"label": "ご希望の長さ", "kind": "single", "choices_text": "肩まで"})
    assert response.status_code == 200
    assert "選択肢を1行に1つずつ、2つ以上入力してください。" in response.content.decode()
    assert "ご希望の長さ" in response.content.decode()  # what was typed is kept
    response = owner.post(
        url,
        {
            "label": "ご希望の長さ",
            "kind": "single",
            "choices_text": "肩まで\n\n胸まで\n肩まで",
            "required": "on",
        },
    )
    assert response.status_code == 302
    with scope(salon=salon_a.salon):
        question = Question.objects.get()
    assert question.choices == ["肩まで", "胸まで"]
    assert question.required


def test_questions_move_and_removing_one_keeps_the_sheets_already_sent(salon_a):
    questions = _ready_sheet(salon_a)
    owner = salon_a.client()
    owner.post(reverse("staff:question_action", kwargs={"pk": questions[1].pk}), {"action": "up"})
    with scope(salon=salon_a.salon):
        assert list(Question.objects.values_list("pk", flat=True))[:2] == [questions[1].pk, questions[0].pk]
    sent = make_sheet_response(salon_a, question="前回の質問")
    owner.post(reverse("staff:question_action", kwargs={"pk": sent.question.pk}), {"action": "delete"})
    with scope(salon=salon_a.salon):
        assert not Question.objects.filter(pk=sent.question.pk).exists()
        sent.refresh_from_db()
    assert sent.answers[0]["label"] == "前回の質問"


def test_a_new_customer_fills_the_sheet_through_the_counter_qr_code(salon_a, own_storage):
    questions = _ready_sheet(salon_a)
    _link_row, url = _link(salon_a, single_use=False)
    phone = Client()  # a stranger's phone: no login, no app
    page = phone.get(url)
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    assert page["Referrer-Policy"] == "no-referrer"
    assert "本日のご希望をお聞かせください" in page.content.decode()
    response = phone.post(url, _answers(questions))
    assert response.status_code == 302
    assert response["Location"] == reverse("customer_app:sheet_sent", kwargs={"slug": salon_a.salon.slug})
    assert "問診票を受け付けました" in phone.get(response["Location"]).content.decode()
    with scope(salon=salon_a.salon):
        sent = SheetResponse.objects.get()
    assert (sent.name, sent.kana, sent.phone) == ("新井 まどか", "アライ マドカ", "090-2222-3333")
    assert sent.source == ResponseSource.COUNTER and sent.status == "received" and sent.customer is None
    by_label = {answer["label"]: answer["value"] for answer in sent.answers}
    assert by_label["本日のご希望をお聞かせください"] == "前髪を短くしたい"
    assert by_label["カラー剤やパーマ液でかぶれたことはありますか？"] is False
    assert by_label["この半年以内にしたこと"] == ["カラー", "ブリーチ"]
    assert by_label["最後にカラー・パーマをした日"] == "2026-10-01"
    assert "カラー剤" in sent.consent_text
    assert default_storage.exists(sent.signature.name)
    # The counter's code serves the next customer too.
    assert phone.post(url, _answers(questions, name="次の お客様")).status_code == 302
    with scope(salon=salon_a.salon):
        assert SheetResponse.objects.count() == 2
        assert AuditEntry.objects.filter(action="sheet.receive").count() == 2


def test_the_signature_is_kept_as_a_fresh_png_without_metadata(salon_a, own_storage):
    questions = _ready_sheet(salon_a)
    _link_row, url = _link(salon_a)
    exif = Image.Exif()
    exif[0x010F] = "SecretPhoneMaker"  # Make
    exif[0x8825] = {2: (35.0, 39.0, 0.0)}  # GPS
    signed = signature_data_url(exif=exif.tobytes())
    assert "exif" in Image.open(io.BytesIO(base64.b64decode(signed.split(",")[1]))).info
    Client().post(url, _answers(questions, signature=signed))
    with scope(salon=salon_a.salon):
        sent = SheetResponse.objects.get()
    stored = default_storage.open(sent.signature.name).read()
    assert b"SecretPhoneMaker" not in stored and b"eXIf" not in stored
    picture = Image.open(io.BytesIO(stored))
    assert picture.format == "PNG" and "exif" not in picture.info
    assert picture.getextrema()[0] < 60  # type: ignore[operator]  # the strokes are there


def test_bad_answers_come_back_in_japanese_with_everything_kept(salon_a, own_storage):
    questions = _ready_sheet(salon_a)
    _link_row, url = _link(salon_a)
    required = next(q for q in questions if q.required and q.kind == QuestionKind.LONG)
    data = _answers(questions, phone="12345", kana="Arai", agree="")
    data[f"q{required.pk}"] = ""
    response = Client().post(url, data)
    assert response.status_code == 400
    body = response.content.decode()
    for message in (
        "電話番号は 090-1234-5678 のように 10〜11 桁で入力してください。",
        "ふりがなはひらがなかカタカナで入力してください。",
        "この質問にお答えください。",
        "同意書をお読みいただき、同意のチェックを入れてください。",
    ):
        assert message in body, message
    assert 'value="新井 まどか"' in body
    assert signature_data_url()[:60] in body  # the signature waits in the form, drawn again by the page
    with scope(salon=salon_a.salon):
        assert not SheetResponse.objects.exists()


@pytest.mark.parametrize(
    "signature",
    ["", "data:image/png;base64,not-base64!", signature_data_url(size=(4000, 300)), "blank"],
)
def test_a_missing_or_unreadable_signature_is_refused(salon_a, own_storage, signature):
    questions = _ready_sheet(salon_a)
    _link_row, url = _link(salon_a)
    if signature == "blank":
        out = io.BytesIO()
        Image.new("RGBA", (900, 300), (0, 0, 0, 0)).save(out, format="PNG")
        signature = "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
    response = Client().post(url, _answers(questions, signature=signature))
    assert response.status_code == 400
    body = response.content.decode()
    assert "枠の中に指で署名してください。" in body or "署名を読み取れませんでした" in body


def test_a_sent_link_works_once(salon_a, own_storage):
    questions = _ready_sheet(salon_a)
    link, url = _link(salon_a, single_use=True)
    phone = Client()
    assert phone.post(url, _answers(questions)).status_code == 302
    again = phone.get(url)
    assert again.status_code == 410
    assert "このリンクからはすでに問診票が送信されています" in again.content.decode()
    assert phone.post(url, _answers(questions)).status_code == 410
    with scope(salon=salon_a.salon):
        assert SheetResponse.objects.count() == 1
        assert SheetLink.objects.get().used_at is not None
        # Two sends of the same link that both got past the first check: the second finds it used.
        with pytest.raises(SheetLinkError):
            sheet_response_submit(
                salon=salon_a.salon,
                source="link",
                answers=[],
                identity={"name": "x"},
                signature=None,
                link=link,
            )


def test_an_expired_or_unknown_link_opens_nothing(salon_a):
    _ready_sheet(salon_a)
    link, url = _link(salon_a, single_use=False)
    with scope(salon=salon_a.salon):
        SheetLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    phone = Client()
    expired = phone.get(url)
    assert expired.status_code == 410 and "有効期限が切れています" in expired.content.decode()
    unknown = phone.get(
        reverse("customer_app:sheet_public", kwargs={"slug": salon_a.salon.slug, "token": "x" * 27})
    )
    assert unknown.status_code == 404 and "このリンクは無効です" in unknown.content.decode()


def test_a_link_of_one_salon_opens_nothing_at_another(salon_a, salon_b):
    _ready_sheet(salon_a)
    _link_row, url = _link(salon_a)
    elsewhere = url.replace(f"/s/{salon_a.salon.slug}/", f"/s/{salon_b.salon.slug}/")
    response = Client().get(elsewhere)
    assert response.status_code == 404
    assert salon_a.salon.name not in response.content.decode()


def test_guessing_links_is_held_back(salon_a):
    phone = Client()
    statuses = [
        phone.get(
            reverse(
                "customer_app:sheet_public", kwargs={"slug": salon_a.salon.slug, "token": f"guess{n:022d}"}
            )
        ).status_code
        for n in range(22)
    ]
    assert statuses[:20] == [404] * 20
    assert statuses[-1] == 429


def test_the_sheet_works_without_the_app_option(salon_a, own_storage):
    """The sheet is part of the karte system; the paid app is not needed to send one."""
    questions = _ready_sheet(salon_a)
    salon_a.salon.customer_app_enabled = False
    salon_a.salon.save()
    _link_row, url = _link(salon_a)
    assert Client().post(url, _answers(questions)).status_code == 302


def test_staff_are_offered_the_customers_it_may_be_and_file_it(salon_a, salon_b, own_storage):
    sent = make_sheet_response(salon_a, name="森川 紗季")  # the same name as salon A's customer
    with scope(salon=salon_a.salon):
        sent.phone = "080-3333-4444"  # and the phone of the other customer
        sent.save()
    owner = salon_a.client()
    page = owner.get(reverse("staff:sheet_detail", kwargs={"pk": sent.pk})).content.decode()
    assert "森川 紗季" in page and "佐藤 美咲" in page
    assert salon_b.customer.name not in page
    response = owner.post(
        reverse("staff:sheet_file", kwargs={"pk": sent.pk}), {"customer": salon_a.customer.pk}
    )
    assert response.status_code == 302
    with scope(salon=salon_a.salon):
        sent.refresh_from_db()
        customer = Customer.objects.get(pk=salon_a.customer.pk)
    assert sent.customer == customer and sent.status == "filed" and sent.filed_by == salon_a.owner.user
    # What the customer's record lacked comes from the sheet; what it had stays.
    assert customer.phone == "090-1111-2222"
    with scope(salon=salon_a.salon):
        assert AuditEntry.objects.filter(action="sheet.file").count() == 1


def test_a_customer_of_another_salon_cannot_be_chosen(salon_a, salon_b, own_storage):
    sent = make_sheet_response(salon_a)
    response = salon_a.client().post(
        reverse("staff:sheet_file", kwargs={"pk": sent.pk}), {"customer": salon_b.customer.pk}
    )
    assert response.status_code == 302
    with scope(salon=salon_a.salon):
        sent.refresh_from_db()
    assert sent.status == "received"


def test_a_sheet_filed_as_a_new_customer_makes_that_customer(salon_a, own_storage):
    sent = make_sheet_response(salon_a)
    response = salon_a.client().post(reverse("staff:sheet_file", kwargs={"pk": sent.pk}), {"new": "1"})
    with scope(salon=salon_a.salon):
        customer = Customer.objects.get(name="新井 まどか")
    assert response["Location"] == f"{customer.get_absolute_url()}#sheets"
    assert (customer.kana, customer.phone, customer.number) == ("あらい まどか", "090-2222-3333", 3)
    page = salon_a.client().get(customer.get_absolute_url()).content.decode()
    assert "毛先を整えたい" in page and "署名済みの同意書を印刷" in page


def test_the_answers_show_in_the_karte_editor_of_that_visit_only(salon_a, own_storage):
    sent = make_sheet_response(salon_a, customer=salon_a.customer)
    today = timezone.localdate()
    visit = make_karte(salon_a, date=today)
    later = make_karte(salon_a, date=today + datetime.timedelta(days=30))
    owner = salon_a.client()
    assert (
        "毛先を整えたい" in owner.get(reverse("staff:karte_edit", kwargs={"pk": visit.pk})).content.decode()
    )
    assert (
        "毛先を整えたい"
        not in owner.get(reverse("staff:karte_edit", kwargs={"pk": later.pk})).content.decode()
    )
    new = owner.get(
        reverse("staff:karte_create", kwargs={"customer_pk": salon_a.customer.pk})
    ).content.decode()
    assert "この来店の問診票" in new and "毛先を整えたい" in new
    with scope(salon=salon_a.salon):
        assert visit_sheet(customer=salon_a.customer, day=today - datetime.timedelta(days=1)) is None
        assert visit_sheet(customer=salon_a.customer, day=today + datetime.timedelta(days=14)) == sent


def test_answers_never_reach_the_phone_unless_the_salon_shows_them(salon_a, own_storage):
    make_sheet_response(salon_a, customer=salon_a.customer, answer="森川様の答え")
    make_karte(salon_a, public_text=True)
    phone = linked_phone(salon_a)
    slug = salon_a.salon.slug
    for name in ("home", "salon", "sheet", "visible", "settings"):
        body = phone.get(reverse(f"customer_app:{name}", kwargs={"slug": slug})).content.decode()
        assert "森川様の答え" not in body, name
    preview = salon_a.client().get(
        reverse("staff:customer_preview_phone", kwargs={"pk": salon_a.customer.pk})
    )
    assert "森川様の答え" not in preview.content.decode()
    with scope(salon=salon_a.salon):
        assert own_last_answers(customer=salon_a.customer) is None
        sheet = sheet_get(salon=salon_a.salon)
        sheet.shows_answers_to_customer = True
        sheet.save()
        last = own_last_answers(customer=salon_a.customer)
        assert last is not None and last.answers[0]["value"] == "森川様の答え"
    assert "森川様の答え" in phone.get(reverse("customer_app:sheet", kwargs={"slug": slug})).content.decode()


def test_a_linked_customer_fills_it_again_from_the_app(salon_a, own_storage):
    questions = _ready_sheet(salon_a)
    phone = linked_phone(salon_a)
    url = reverse("customer_app:sheet", kwargs={"slug": salon_a.salon.slug})
    home = phone.get(reverse("customer_app:home", kwargs={"slug": salon_a.salon.slug})).content.decode()
    assert "問診票を記入する" in home
    page = phone.get(url)
    assert page["Cache-Control"] == "private, no-store"
    assert 'name="name"' not in page.content.decode()  # the app knows who this is
    data = {key: value for key, value in _answers(questions).items() if key not in {"name", "kana", "phone"}}
    response = phone.post(url, data)
    assert response.status_code == 302 and response["Location"].endswith("?sent=1")
    with scope(salon=salon_a.salon):
        sent = SheetResponse.objects.get()
    assert sent.customer == salon_a.customer and sent.status == "filed" and sent.source == "app"
    assert sent.name == salon_a.customer.name


def test_the_signed_consent_prints_and_the_printing_is_logged(salon_a, own_storage):
    sent = make_sheet_response(salon_a)
    owner = salon_a.client()
    page = owner.get(reverse("staff:sheet_print", kwargs={"pk": sent.pk})).content.decode()
    assert "施術内容に同意します。" in page and "新井 まどか" in page
    signature = re.search(r'src="([^"]+signature\.png)"', page)
    assert signature is not None
    image = owner.get(signature.group(1))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image["Cache-Control"] == "private, no-store"
    with scope(salon=salon_a.salon):
        assert AuditEntry.objects.filter(action="sheet.print").count() == 1


def test_deleting_a_sheet_deletes_its_signature(salon_a, own_storage, django_capture_on_commit_callbacks):
    sent = make_sheet_response(salon_a)
    name = sent.signature.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        salon_a.client().post(reverse("staff:sheet_delete", kwargs={"pk": sent.pk}))
    with scope(salon=salon_a.salon):
        assert not SheetResponse.objects.exists()
        assert not AuditEntry.objects.filter(summary__contains="新井").exists()
        assert AuditEntry.objects.filter(action="sheet.delete").count() == 1
    assert not default_storage.exists(name)


def test_a_customer_deleted_for_good_takes_their_sheets_and_signatures(
    salon_a, own_storage, django_capture_on_commit_callbacks
):
    from privacy.services import customer_erase

    sent = make_sheet_response(salon_a, customer=salon_a.customer)
    assert default_storage.exists(sent.signature.name)
    with scope(salon=salon_a.salon), django_capture_on_commit_callbacks(execute=True):
        customer_erase(
            customer=salon_a.customer, actor=salon_a.owner.user, confirm_name=salon_a.customer.name
        )
        assert not SheetResponse.objects.exists()
        # The log keeps that a sheet came and went, not whose it was.
        assert not AuditEntry.objects.filter(summary__contains=salon_a.customer.name).exists()
    assert not default_storage.exists(sent.signature.name)


def test_the_customers_own_export_holds_their_sheets(salon_a, own_storage):
    from privacy.services import customer_export_plan

    make_sheet_response(salon_a, customer=salon_a.customer)
    with scope(salon=salon_a.salon):
        plan = customer_export_plan(customer=salon_a.customer, actor=None)
    assert "毛先を整えたい" in plan.documents["counselling_sheets.json"]
    assert any(name.startswith("signatures/") for name, _stored in plan.files)


def test_signatures_are_counted_among_the_files_the_rows_vouch_for(salon_a, own_storage):
    from common.media import orphans_purge, verify

    sent = make_sheet_response(salon_a)
    assert verify().ok
    orphans_purge(older_than=0)
    assert default_storage.exists(sent.signature.name)


def test_staff_find_any_customer_of_their_salon_to_file_onto(salon_a, salon_b, own_storage):
    sent = make_sheet_response(salon_a, name="別名 さん")
    owner = salon_a.client()
    url = reverse("staff:sheet_detail", kwargs={"pk": sent.pk})
    page = owner.get(url).content.decode()
    assert "佐藤 美咲" not in page  # nothing alike: no suggestion
    found = owner.get(url, {"q": "さとう"}).content.decode()
    assert "佐藤 美咲" in found and "森川 紗季" not in found
    assert "鈴木 一郎" not in owner.get(url, {"q": "すずき"}).content.decode()  # salon B's customer
    assert "該当する顧客はいません。" in owner.get(url, {"q": "すずき"}).content.decode()


def test_one_address_sending_sheet_after_sheet_is_held_back(salon_a):
    _ready_sheet(salon_a)
    _link_row, url = _link(salon_a, single_use=False)
    phone = Client()
    statuses = [phone.post(url, {"name": ""}).status_code for _ in range(31)]
    assert statuses[:30] == [400] * 30
    assert statuses[30] == 429
    held = phone.post(url, {"name": ""})
    assert "試行回数が多すぎます" in held.content.decode() and int(held["Retry-After"]) > 0


def test_the_staff_bar_says_how_many_sheets_wait(salon_a, salon_b, own_storage):
    sent = make_sheet_response(salon_a)
    bar = salon_a.client(salon_a.stylist).get(reverse("staff:customer_list")).content.decode()
    assert '<span class="badge badge--count">1<span class="visually-hidden"> 件が未登録</span></span>' in bar
    assert "badge--count" not in salon_b.client().get(reverse("staff:customer_list")).content.decode()
    salon_a.client().post(reverse("staff:sheet_file", kwargs={"pk": sent.pk}), {"new": "1"})
    assert "badge--count" not in salon_a.client().get(reverse("staff:customer_list")).content.decode()


@pytest.mark.parametrize("single_use", [False, True])
def test_the_same_sheet_sent_again_is_kept_once(salon_a, own_storage, single_use):
    """A resend after a lost reply, or a double tap, through the counter's code or a sent link."""
    questions = _ready_sheet(salon_a)
    _link_row, url = _link(salon_a, single_use=single_use)
    phone = Client()
    key = re.search(r'name="client_key" value="([0-9a-f-]{36})"', phone.get(url).content.decode())
    assert key is not None
    data = _answers(questions, client_key=key.group(1))
    sent = reverse("customer_app:sheet_sent", kwargs={"slug": salon_a.salon.slug})
    assert [phone.post(url, data)["Location"] for _ in range(2)] == [sent, sent]
    with scope(salon=salon_a.salon):
        assert SheetResponse.objects.count() == 1
        assert AuditEntry.objects.filter(action="sheet.receive").count() == 1
    # The next customer's page has a key of its own, and their sheet is kept too.
    assert phone.post(url, _answers(questions, name="次の お客様")).status_code == (
        410 if single_use else 302
    )


def test_the_same_sheet_sent_again_from_the_app_is_kept_once(salon_a, own_storage):
    _ready_sheet(salon_a)
    phone = linked_phone(salon_a)
    url = reverse("customer_app:sheet", kwargs={"slug": salon_a.salon.slug})
    page = phone.get(url).content.decode()
    key = re.search(r'name="client_key" value="([0-9a-f-]{36})"', page)
    assert key is not None
    with scope(salon=salon_a.salon):
        questions = list(Question.objects.filter(salon=salon_a.salon))
    data = {
        k: v
        for k, v in _answers(questions, client_key=key.group(1)).items()
        if k not in ("name", "kana", "phone")
    }
    assert [phone.post(url, data).status_code for _ in range(2)] == [302, 302]
    with scope(salon=salon_a.salon):
        assert SheetResponse.objects.filter(customer=salon_a.customer).count() == 1


def test_the_signed_consent_is_on_the_customers_page_beside_the_answers(salon_a, salon_b, own_storage):
    sent = make_sheet_response(salon_a, customer=salon_a.customer)
    page = (
        salon_a.client(salon_a.stylist)
        .get(reverse("staff:customer_detail", kwargs={"pk": salon_a.customer.pk}))
        .content.decode()
    )
    band = page[page.index('<details class="sheet-band" open>') : page.index("</details>")]
    signature = reverse("staff:sheet_signature", kwargs={"pk": sent.pk})
    assert "毛先を整えたい" in band and f'src="{signature}"' in band and "sheet-signature--small" in band
    # Staff-only: the other salon gets nothing, nor does the customer's own phone preview.
    assert salon_b.client().get(signature).status_code == 404
    preview = salon_a.client().get(
        reverse("staff:customer_preview_phone", kwargs={"pk": salon_a.customer.pk})
    )
    assert signature not in preview.content.decode()
