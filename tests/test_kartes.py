"""Kartes and their items: private by default, one-tap publishing with an audit trail,
the customer preview, concurrent edits and retried saves."""

import datetime
import re
import uuid

from django.urls import reverse
from django_scopes import scope, scopes_disabled

from audit.models import AuditEntry
from customers.models import Customer
from kartes import actions as kartes_actions
from kartes.models import Karte, KarteItem
from kartes.selectors import visible_kartes
from kartes.services import karte_delete
from staff.templatetags.activity import item_kind

from .factories import image_bytes, make_karte


def upload(client, data=None, kind="photo"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("staff:image_upload"),
        {
            "upload_key": str(uuid.uuid4()),
            "kind": kind,
            "file": SimpleUploadedFile("p.jpg", data or image_bytes()),
        },
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def karte_post(world, items, **overrides):
    data = {
        "treatment_date": "2026-11-20",
        "staff": str(world.stylist.pk),
        "menu": "カット、カラー",
        "client_key": str(uuid.uuid4()),
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for index, item in enumerate(items):
        for key, value in item.items():
            data[f"items-{index}-{key}"] = value
        data.setdefault(f"items-{index}-ORDER", str(index + 1))
    data.update(overrides)
    return data


def test_items_are_private_unless_ticked(salon_a):
    client = salon_a.client()
    photo = upload(client)
    data = karte_post(salon_a, [{"kind": "text", "text": "根元リタッチ"}, {"kind": "photo", "image": photo}])
    response = client.post(reverse("staff:karte_create", kwargs={"customer_pk": salon_a.customer.pk}), data)
    assert response.status_code == 302
    with scope(salon=salon_a.salon):
        karte = Karte.objects.get()
        assert [(i.kind, i.is_public) for i in karte.items.all()] == [("text", False), ("photo", False)]
        assert karte.staff == salon_a.stylist
        salon_a.customer.refresh_from_db()
        assert str(salon_a.customer.last_visit_on) == "2026-11-20"


def test_ticked_items_are_public_and_the_publication_is_recorded(salon_a):
    client = salon_a.client()
    data = karte_post(salon_a, [{"kind": "text", "text": "公開するメモ", "is_public": "on"}])
    client.post(reverse("staff:karte_create", kwargs={"customer_pk": salon_a.customer.pk}), data)
    with scope(salon=salon_a.salon):
        item = KarteItem.objects.get()
        assert item.is_public and item.published_by == salon_a.owner.user
        assert AuditEntry.objects.filter(action=kartes_actions.ITEM_PUBLISH, target_id=str(item.pk)).exists()


def test_publishing_from_the_history_is_one_tap_and_audited(salon_a):
    karte = make_karte(salon_a)
    with scope(salon=salon_a.salon):
        photo = karte.items.get(kind="photo")
    client = salon_a.client(salon_a.stylist)
    url = reverse("staff:item_publish", kwargs={"pk": photo.pk})
    response = client.post(url, {"public": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "state--public" in body and "公開" in body
    assert f"{salon_a.stylist.display_name} が公開" in body
    client.post(url, {"public": "0"}, HTTP_HX_REQUEST="true")
    with scope(salon=salon_a.salon):
        photo.refresh_from_db()
        assert photo.is_public is False
        actions = list(AuditEntry.objects.filter(target_id=str(photo.pk)).values_list("action", "actor_name"))
    assert (kartes_actions.ITEM_PUBLISH, salon_a.stylist.display_name) in actions
    assert (kartes_actions.ITEM_UNPUBLISH, salon_a.stylist.display_name) in actions


def test_history_shows_each_items_state_in_colour_and_words(salon_a):
    make_karte(salon_a, public_text=True)
    body = (
        salon_a.client()
        .get(reverse("staff:customer_detail", kwargs={"pk": salon_a.customer.pk}))
        .content.decode()
    )
    public = re.findall(r'<button type="submit" class="state state--public"[^>]*>\s*公開\s*</button>', body)
    private = re.findall(
        r'<button type="submit" class="state state--private"[^>]*>\s*非公開\s*</button>', body
    )
    assert (len(public), len(private)) == (1, 1)


def test_the_preview_selector_returns_public_items_only(salon_a):
    make_karte(salon_a, public_text=True, text="公開テキスト")
    make_karte(salon_a, public_photo=True, text="非公開テキスト")
    with scope(salon=salon_a.salon):
        kartes = list(visible_kartes(customer=salon_a.customer))
        shown = [(item.kind, item.text) for karte in kartes for item in karte.public_items]  # type: ignore[attr-defined]
    assert len(kartes) == 2  # every karte's date and staff, even with nothing public
    assert ("text", "公開テキスト") in shown
    assert ("text", "非公開テキスト") not in shown
    assert [kind for kind, _ in shown].count("photo") == 1


def test_the_preview_page_shows_what_the_customer_would_see(salon_a):
    karte = make_karte(salon_a, public_text=True, text="次回は6週間後")
    with scope(salon=salon_a.salon):
        photo = karte.items.get(kind="photo")
    salon_a.customer.memo = "スタッフだけの秘密のメモ"
    salon_a.customer.save()
    body = (
        salon_a.client()
        .get(reverse("staff:customer_preview_phone", kwargs={"pk": salon_a.customer.pk}))
        .content.decode()
    )
    assert "次回は6週間後" in body
    assert str(photo.image_id) not in body
    assert "スタッフだけの秘密のメモ" not in body
    assert salon_a.stylist.display_name in body


def test_the_other_customers_kartes_are_not_in_the_preview(salon_a):
    make_karte(salon_a, customer=salon_a.other_customer, public_text=True, text="別のお客様のメモ")
    body = (
        salon_a.client()
        .get(reverse("staff:customer_preview_phone", kwargs={"pk": salon_a.customer.pk}))
        .content.decode()
    )
    assert "別のお客様のメモ" not in body


def test_a_second_save_of_the_same_karte_is_refused_and_keeps_the_input(salon_a):
    karte = make_karte(salon_a)
    with scope(salon=salon_a.salon):
        items = list(karte.items.all())
    edit_url = reverse("staff:karte_edit", kwargs={"pk": karte.pk})

    def edit(text):
        data = karte_post(
            salon_a,
            [
                {"id": str(items[0].pk), "kind": "text", "text": text},
                {"id": str(items[1].pk), "kind": "photo", "image": str(items[1].image_id)},
            ],
            version=str(karte.version),
        )
        data["items-INITIAL_FORMS"] = "2"
        return data

    first = salon_a.client().post(edit_url, edit("オーナーの修正"))
    second = salon_a.client(salon_a.stylist).post(edit_url, edit("スタイリストの修正"))
    assert first.status_code == 302
    assert second.status_code == 200
    body = second.content.decode()
    assert "他のスタッフがこのカルテを保存しました" in body
    assert "スタイリストの修正" in body  # what the second person typed is still on screen
    with scope(salon=salon_a.salon):
        items[0].refresh_from_db()
        assert items[0].text == "オーナーの修正"


def test_a_resent_edit_after_a_lost_reply_is_recognised_as_done_not_as_a_conflict(salon_a):
    karte = make_karte(salon_a)
    with scope(salon=salon_a.salon):
        items = list(karte.items.all())
    edit_url = reverse("staff:karte_edit", kwargs={"pk": karte.pk})
    data = karte_post(
        salon_a,
        [
            {"id": str(items[0].pk), "kind": "text", "text": "返事が届かなかった保存"},
            {"id": str(items[1].pk), "kind": "photo", "image": str(items[1].image_id)},
        ],
        version=str(karte.version),
        save_key=str(uuid.uuid4()),
    )
    data["items-INITIAL_FORMS"] = "2"
    client = salon_a.client()
    headers = {"HTTP_X_KARTE_SAVE": "fetch"}
    first = client.post(edit_url, data, **headers)
    resent = client.post(edit_url, data, **headers)  # the reply to the first one was lost
    assert first.status_code == resent.status_code == 200
    assert resent.json() == first.json()
    with scope(salon=salon_a.salon):
        karte.refresh_from_db()
        assert karte.version == 2
        assert AuditEntry.objects.filter(action=kartes_actions.KARTE_UPDATE).count() == 1
    # Another editor's save with the same old version is still refused.
    other = {**data, "save_key": str(uuid.uuid4())}
    assert "他のスタッフがこのカルテを保存しました" in client.post(edit_url, other).content.decode()


def test_a_double_submitted_karte_is_saved_once(salon_a):
    client = salon_a.client()
    data = karte_post(salon_a, [{"kind": "text", "text": "一度だけ"}])
    url = reverse("staff:karte_create", kwargs={"customer_pk": salon_a.customer.pk})
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    with scope(salon=salon_a.salon):
        assert Karte.objects.count() == 1
        assert KarteItem.objects.count() == 1


def test_a_form_error_keeps_everything_entered(salon_a):
    client = salon_a.client()
    photo = upload(client)
    data = karte_post(
        salon_a,
        [
            {"kind": "text", "text": "消えてはいけないメモ"},
            {"kind": "photo", "image": photo, "caption": "横から"},
        ],
        treatment_date="",
    )
    response = client.post(reverse("staff:karte_create", kwargs={"customer_pk": salon_a.customer.pk}), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "施術日を入力してください。" in body
    assert "消えてはいけないメモ" in body and "横から" in body and photo in body
    with scope(salon=salon_a.salon):
        assert not Karte.objects.exists()


def test_another_salons_photo_cannot_be_attached(salon_a, salon_b):
    foreign_photo = upload(salon_b.client())
    data = karte_post(salon_a, [{"kind": "photo", "image": foreign_photo}])
    response = salon_a.client().post(
        reverse("staff:karte_create", kwargs={"customer_pk": salon_a.customer.pk}), data
    )
    assert response.status_code == 200
    with scope(salon=salon_a.salon):
        assert not Karte.objects.exists()


def test_editing_removes_reorders_and_publishes_items(salon_a):
    karte = make_karte(salon_a)
    with scope(salon=salon_a.salon):
        text, photo = list(karte.items.all())
    data = karte_post(
        salon_a,
        [
            {"id": str(text.pk), "kind": "text", "text": "消す", "DELETE": "on"},
            {
                "id": str(photo.pk),
                "kind": "photo",
                "image": str(photo.image_id),
                "is_public": "on",
                "ORDER": "2",
            },
            {"kind": "text", "text": "新しいメモ", "ORDER": "1"},
        ],
        version=str(karte.version),
    )
    data["items-INITIAL_FORMS"] = "2"
    response = salon_a.client().post(reverse("staff:karte_edit", kwargs={"pk": karte.pk}), data)
    assert response.status_code == 302
    with scope(salon=salon_a.salon):
        assert [(i.kind, i.text, i.is_public) for i in karte.items.all()] == [
            ("text", "新しいメモ", False),
            ("photo", "", True),
        ]
        assert AuditEntry.objects.filter(action=kartes_actions.ITEM_DELETE, target_id=str(text.pk)).exists()
    # The log names the customer and the karte's date for every item entry, and the item's kind in
    # the reader's language.
    log = salon_a.client().get(reverse("staff:audit_list"))
    item_entries = [entry for entry in log.context["entries"] if entry.target_type == "karteitem"]
    assert {entry.action for entry in item_entries} >= {
        kartes_actions.ITEM_DELETE,
        kartes_actions.ITEM_PUBLISH,
        kartes_actions.ITEM_CREATE,
    }
    # (made on 2026-11-01, then edited to 2026-11-20)
    assert {entry.summary for entry in item_entries} == {"森川 紗季 2026-11-01", "森川 紗季 2026-11-20"}
    assert "森川 紗季 2026-11-01 ・ テキスト" in log.content.decode()
    assert "#" not in "".join(entry.summary for entry in item_entries)
    english = salon_a.client()
    english.cookies["django_language"] = "en"
    page = english.get(reverse("staff:audit_list")).content.decode()
    assert "森川 紗季 2026-11-01 ・ Text" in page and "・ Photo" in page and "テキスト" not in page


def test_deleting_a_karte_deletes_its_photos(salon_a, django_capture_on_commit_callbacks):
    karte = make_karte(salon_a)
    with scope(salon=salon_a.salon):
        image = karte.items.get(kind="photo").image
    storage, names = image.large.storage, [image.original.name, image.large.name, image.small.name]
    with django_capture_on_commit_callbacks(execute=True):
        response = salon_a.client().post(reverse("staff:karte_delete", kwargs={"pk": karte.pk}))
    assert response.status_code == 302
    with scope(salon=salon_a.salon):
        assert not Karte.objects.exists()
        assert AuditEntry.objects.filter(action=kartes_actions.KARTE_DELETE).exists()
    assert not any(storage.exists(name) for name in names)


def test_a_photo_already_in_another_karte_cannot_be_attached_again(salon_a):
    other = make_karte(salon_a)
    with scope(salon=salon_a.salon):
        taken = other.items.get(kind="photo").image_id
    data = karte_post(salon_a, [{"kind": "photo", "image": str(taken)}])
    response = salon_a.client().post(
        reverse("staff:karte_create", kwargs={"customer_pk": salon_a.customer.pk}), data
    )
    assert response.status_code == 200
    assert "この写真は別の項目で使われています" in response.content.decode()
    with scope(salon=salon_a.salon):
        assert Karte.objects.count() == 1


def test_an_editor_left_open_cannot_undo_a_publication_made_from_the_history(salon_a):
    karte = make_karte(salon_a)
    with scope(salon=salon_a.salon):
        text, photo = list(karte.items.all())
    stale_version = karte.version
    salon_a.client().post(reverse("staff:item_publish", kwargs={"pk": photo.pk}), {"public": "1"})
    data = karte_post(
        salon_a,
        [
            {"id": str(text.pk), "kind": "text", "text": text.text},
            {"id": str(photo.pk), "kind": "photo", "image": str(photo.image_id)},
        ],
        version=str(stale_version),
    )
    data["items-INITIAL_FORMS"] = "2"
    response = salon_a.client(salon_a.stylist).post(
        reverse("staff:karte_edit", kwargs={"pk": karte.pk}), data
    )
    assert response.status_code == 200
    with scope(salon=salon_a.salon):
        photo.refresh_from_db()
        assert photo.is_public is True


def test_earlier_log_entries_about_items_are_renamed_after_their_karte(salon_a):
    """Migration audit 0005: entries written before items named their karte, run on rows made to look old."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("audit.migrations.0005_item_entries_name_their_karte")
    karte = make_karte(salon_a)
    gone = make_karte(salon_a, date=datetime.date(2026, 10, 5))
    with scope(salon=salon_a.salon):
        text = karte.items.get(kind="text")
        gone_id = gone.pk
        karte_delete(karte=gone, actor=salon_a.owner.user)
        AuditEntry.objects.all().delete()
        old = [
            AuditEntry.objects.create(salon=salon_a.salon, actor_name="店長",
                action=kartes_actions.ITEM_UPDATE,
                target_type="karteitem", target_id=str(text.pk), summary="テキスト #207",
                data={"karte": karte.pk, "fields": ["text"]}),
            AuditEntry.objects.create(salon=salon_a.salon, actor_name="店長",
                action=kartes_actions.ITEM_PUBLISH,
                target_type="karteitem", target_id="999", summary="森川 紗季 2026-11-01 写真",
                data={"karte": karte.pk, "kind": "photo"}),
            AuditEntry.objects.create(salon=salon_a.salon, actor_name="店長",
                action=kartes_actions.ITEM_DELETE,
                target_type="karteitem", target_id="998", summary="イラスト #998",
                data={"karte": gone_id, "kind": "illustration"}),
            AuditEntry.objects.create(salon=salon_a.salon, actor_name="店長",
                action=kartes_actions.ITEM_CREATE,
                target_type="karteitem", target_id="997", summary="", data={}),
        ]  # fmt: skip
        AuditEntry.objects.create(salon=salon_a.salon, actor_name="店長",
                action=kartes_actions.KARTE_DELETE,
            target_type="karte", target_id=str(gone_id), summary="森川 紗季 2026-10-05")  # fmt: skip
    with scopes_disabled():
        migration.name_karte(apps, None)
        renamed = {entry.pk: entry for entry in AuditEntry.objects.filter(pk__in=[e.pk for e in old])}
    assert [(renamed[e.pk].summary, item_kind(renamed[e.pk])) for e in old] == [
        ("森川 紗季 2026-11-01", "テキスト"),
        ("森川 紗季 2026-11-01", "写真"),
        ("森川 紗季 2026-10-05", "手書きイラスト"),
        ("", ""),  # erased with its customer: stays nameless
    ]


def test_a_karte_with_nothing_in_it_is_saved_only_when_staff_say_so(salon_a):
    client = salon_a.client()
    url = reverse("staff:karte_create", kwargs={"customer_pk": salon_a.customer.pk})
    refused = client.post(url, karte_post(salon_a, [], menu=""))
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "メニューも項目もないカルテです。" in body and 'name="confirm_empty"' in body
    with scope(salon=salon_a.salon):
        assert not Karte.objects.exists()
    assert client.post(url, karte_post(salon_a, [], menu="", confirm_empty="on")).status_code == 302
    # A menu alone, or an item alone, is a karte worth keeping: no question asked.
    assert client.post(url, karte_post(salon_a, [], menu="カット")).status_code == 302
    one_item = karte_post(salon_a, [{"kind": "text", "text": "メモ"}], menu="")
    assert client.post(url, one_item).status_code == 302
    with scope(salon=salon_a.salon):
        assert Karte.objects.count() == 3


def test_the_treatment_date_cannot_be_before_the_customers_birthday(salon_a):
    with scope(salon=salon_a.salon):
        Customer.objects.filter(pk=salon_a.customer.pk).update(
            birthday=datetime.date(2000, 4, 2), birthday_md=402
        )
    client = salon_a.client()
    url = reverse("staff:karte_create", kwargs={"customer_pk": salon_a.customer.pk})
    assert 'min="2000-04-02"' in client.get(url).content.decode()
    body = client.post(url, karte_post(salon_a, [], treatment_date="1900-01-01")).content.decode()
    assert "施術日はお客様の誕生日（2000年4月2日）より前にはできません。" in body
    assert "カット、カラー" in body  # what was entered is kept
    assert client.post(url, karte_post(salon_a, [], treatment_date="2000-04-02")).status_code == 302
