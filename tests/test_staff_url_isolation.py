"""Every staff URL: anonymous visitors go to the login page, and staff of another salon get
nothing — a 404 for another salon's object, and none of its data on their own pages."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, reverse
from django_scopes import scope

from linking.models import Device
from staff import urls as staff_urls

# url name -> how to build its arguments from salon A's objects. None: the URL takes no object.
OBJECT_URLS = {
    "customer_detail": lambda o: {"pk": o["customer"].pk},
    "customer_edit": lambda o: {"pk": o["customer"].pk},
    "customer_archive": lambda o: {"pk": o["customer"].pk},
    "customer_restore": lambda o: {"pk": o["customer"].pk},
    "customer_preview": lambda o: {"pk": o["customer"].pk},
    "customer_preview_phone": lambda o: {"pk": o["customer"].pk},
    "karte_create": lambda o: {"customer_pk": o["customer"].pk},
    "karte_edit": lambda o: {"pk": o["karte"].pk},
    "karte_delete": lambda o: {"pk": o["karte"].pk},
    "karte_print": lambda o: {"pk": o["karte"].pk},
    "customer_history_print": lambda o: {"pk": o["customer"].pk},
    "customer_timeline": lambda o: {"pk": o["customer"].pk},
    "customer_ghost": lambda o: {"pk": o["customer"].pk},
    "item_publish": lambda o: {"pk": o["item"].pk},
    "item_portfolio": lambda o: {"pk": o["item"].pk},
    "item_portfolio_save": lambda o: {"pk": o["item"].pk},
    "image": lambda o: {"pk": o["image"].pk, "size": "small"},
    "image_status": lambda o: {"pk": o["image"].pk},
    "image_retry": lambda o: {"pk": o["image"].pk},
    "staff_edit": lambda o: {"pk": o["stylist"].pk},
    "staff_invite_resend": lambda o: {"pk": o["stylist"].pk},
    "session_end": lambda o: {"pk": o["staff_session"].pk},
    "staff_factor_reset": lambda o: {"pk": o["stylist"].pk},
    "appointment_detail": lambda o: {"pk": o["appointment"].pk},
    "request_answer": lambda o: {"pk": o["booking_request"].pk},
    "duplicate_dismiss": lambda o: {"pk": o["duplicate_pair"].pk},
    "customer_merge": lambda o: {
        "pk": o["duplicate_pair"].first_id,
        "other_pk": o["duplicate_pair"].second_id,
    },
    "customer_merge_undo": lambda o: {"pk": o["merge"].pk},
    "retention_keep": lambda o: {"pk": o["listed_customer"].pk},
    "ledger_week": lambda o: {"pk": o["stylist"].pk},
    "appointment_state": lambda o: {"pk": o["appointment"].pk},
    "appointment_move": lambda o: {"pk": o["appointment"].pk},
    "staff_password_set": lambda o: {"pk": o["stylist"].pk},
    "staff_shifts": lambda o: {"pk": o["stylist"].pk},
    "passkey_delete": lambda o: {"pk": o["passkey"].pk},
    "customer_app_panel": lambda o: {"pk": o["customer"].pk},
    "link_code_create": lambda o: {"pk": o["customer"].pk},
    "link_code_status": lambda o: {"pk": o["customer"].pk, "code_pk": o["link_code"].pk},
    "device_revoke": lambda o: {"pk": o["device"].pk},
    "notice_edit": lambda o: {"pk": o["notice"].pk},
    "notice_withdraw": lambda o: {"pk": o["notice"].pk},
    "customer_notice_create": lambda o: {"pk": o["customer"].pk},
    "customer_export": lambda o: {"pk": o["customer"].pk},
    "customer_erase": lambda o: {"pk": o["customer"].pk},
    "data_request_done": lambda o: {"pk": o["customer"].pk, "request_pk": o["data_request"].pk},
    "menu_category_edit": lambda o: {"pk": o["menu_category"].pk},
    "menu_category_action": lambda o: {"pk": o["menu_category"].pk},
    "menu_item_edit": lambda o: {"pk": o["menu_item"].pk},
    "menu_item_action": lambda o: {"pk": o["menu_item"].pk},
    "customer_import": lambda o: {"pk": o["customer_import"].pk},
    "export_download": lambda o: {"pk": o["export"].pk},
    "followup_cancel": lambda o: {"pk": o["followup"].pk},
    "question_edit": lambda o: {"pk": o["question"].pk},
    "question_action": lambda o: {"pk": o["question"].pk},
    "sheet_detail": lambda o: {"pk": o["sheet_response"].pk},
    "sheet_file": lambda o: {"pk": o["sheet_response"].pk},
    "sheet_delete": lambda o: {"pk": o["sheet_response"].pk},
    "sheet_signature": lambda o: {"pk": o["sheet_response"].pk},
    "sheet_print": lambda o: {"pk": o["sheet_response"].pk},
}
# Views that only take POST answer a GET with 405 before looking anything up, which reveals nothing.
POST_ONLY = {
    "item_portfolio",
    "customer_merge_undo",
    "retention_keep",
    "request_answer",
    "duplicate_dismiss",
    "calendar_feed_manage",
    "appointment_move",
    "appointment_state",
    "staff_password_set",
    "staff_factor_reset",
    "passkey_delete",
    "passkey_register",
    "passkey_register_options",
    "password_change",
    "email_change",
    "session_end",
    "sessions_end_others",
    "staff_invite_resend",
    "customer_archive",
    "customer_restore",
    "item_publish",
    "image_upload",
    "image_retry",
    "link_code_create",
    "device_revoke",
    "notice_withdraw",
    "customer_export",
    "data_request_done",
    "menu_category_action",
    "menu_item_action",
    "menu_preset",
    "followup_cancel",
    "question_action",
    "sheet_file",
    "sheet_delete",
    "sheet_preset",
    "sheet_link_create",
}
SALON_URLS = {
    "duplicate_list",
    "retention",
    "appointment_import",
    "appointment_import_template",
    "request_list",
    "calendar_feed_manage",
    "ledger",
    "appointment_create",
    "two_factor",
    "passkey_register",
    "passkey_register_options",
    "account",
    "password_change",
    "email_change",
    "sessions_end_others",
    "staff_invite",
    "customer_list",
    "customer_create",
    "image_upload",
    "salon_settings",
    "salon_logo",
    "salon_icon_preview",
    "staff_list",
    "staff_create",
    "audit_list",
    "notice_list",
    "notice_create",
    "menu_list",
    "menu_preset",
    "menu_category_create",
    "menu_item_create",
    "data",
    "export_list",
    "export_create",
    "customer_import_upload",
    "customer_import_template",
    "followup_settings",
    "push_settings",
    "analytics",
    "angle_settings",
    "sheet_design",
    "sheet_preset",
    "question_create",
    "sheet_inbox",
    "sheet_link_create",
}


def staff_url_names():
    return {p.name for p in staff_urls.urlpatterns if isinstance(p, URLPattern)}


def test_every_staff_url_is_covered_by_these_tests():
    assert staff_url_names() == set(OBJECT_URLS) | SALON_URLS


def _url(name, objects):
    builder = OBJECT_URLS.get(name)
    return reverse(f"staff:{name}", kwargs=builder(objects) if builder else None)


@pytest.mark.parametrize("name", sorted(set(OBJECT_URLS) | SALON_URLS))
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_login(client, salon_a_objects, name, method):
    url = _url(name, salon_a_objects)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(OBJECT_URLS))
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_salons_object_is_not_found(salon_a_objects, salon_b, name, method):
    url = _url(name, salon_a_objects)
    response = getattr(salon_b.client(), method)(url, {"public": "1"})
    expected = 405 if method == "get" and name in POST_ONLY else 404
    assert response.status_code == expected


@pytest.mark.parametrize("name", sorted(SALON_URLS))
def test_salon_pages_show_another_salon_nothing(salon_a_objects, salon_a, salon_b, name):
    response = salon_b.client().get(_url(name, salon_a_objects), {"q": ""})
    assert response.status_code in {200, 404, 405}
    body = response.content.decode(errors="replace")  # the icon preview is a picture
    for secret in (
        salon_a.customer.name,
        salon_a.other_customer.name,
        salon_a.salon.name,
        salon_a.owner.display_name,
        "サロンAの秘密メニュー",
        "サロンAの秘密カテゴリ",
        "サロンAの台帳",
        "サロンAの取込客",
        "サロンAの問診客",
        "サロンAの秘密質問",
    ):
        assert secret not in body


def test_another_salons_object_is_left_unchanged(salon_a_objects, salon_a, salon_b):
    item = salon_a_objects["item"]
    salon_b.client().post(reverse("staff:item_publish", kwargs={"pk": item.pk}), {"public": "1"})
    salon_b.client().post(reverse("staff:karte_delete", kwargs={"pk": salon_a_objects["karte"].pk}))
    salon_b.client().post(reverse("staff:device_revoke", kwargs={"pk": salon_a_objects["device"].pk}))
    salon_b.client().post(reverse("staff:notice_withdraw", kwargs={"pk": salon_a_objects["notice"].pk}))
    salon_b.client().post(reverse("staff:followup_cancel", kwargs={"pk": salon_a_objects["followup"].pk}))
    sheet_url = reverse("staff:sheet_file", kwargs={"pk": salon_a_objects["sheet_response"].pk})
    salon_b.client().post(sheet_url, {"new": "1"})
    salon_b.client().post(reverse("staff:sheet_delete", kwargs={"pk": salon_a_objects["sheet_response"].pk}))
    with scope(salon=salon_a.salon):
        item.refresh_from_db()
        assert item.is_public is False
        assert salon_a.customer.kartes.count() == 1
        assert Device.objects.get().revoked_at is None
        notice = salon_a_objects["notice"]
        notice.refresh_from_db()
        assert notice.state() == "live"
        followup = salon_a_objects["followup"]
        followup.refresh_from_db()
        assert followup.status == "scheduled"
        sheet_response = salon_a_objects["sheet_response"]
        sheet_response.refresh_from_db()
        assert sheet_response.status == "received"


def test_stylists_cannot_open_owner_pages(salon_a):
    client = salon_a.client(salon_a.stylist)
    for name in (
        "staff_list",
        "staff_create",
        "staff_invite",
        "salon_settings",
        "salon_icon_preview",
        "audit_list",
        "menu_list",
        "menu_category_create",
        "menu_item_create",
        "data",
        "export_list",
        "customer_import_template",
        "followup_settings",
        "push_settings",
        "analytics",
        "angle_settings",
        "sheet_design",
        "question_create",
    ):
        assert client.get(reverse(f"staff:{name}")).status_code == 403


# What each role may open: the owner everything; stylists all but the owner's pages; reception all
# but those and the kartes with their photos. Every URL is asked by every role, GET and POST.
OWNER_ONLY = {
    "analytics", "followup_settings", "push_settings", "salon_settings", "salon_icon_preview",
    "menu_list", "menu_preset", "menu_category_create", "menu_category_edit", "menu_item_create",
    "menu_item_edit", "menu_category_action", "menu_item_action", "customer_export", "customer_erase",
    "data_request_done", "staff_list", "staff_create", "staff_invite", "staff_invite_resend",
    "staff_factor_reset", "staff_password_set", "staff_shifts", "staff_edit", "audit_list", "sheet_design",
    "sheet_preset", "question_create", "question_edit", "question_action", "data", "export_list",
    "appointment_import", "appointment_import_template", "duplicate_dismiss", "customer_merge",
    "customer_merge_undo", "retention", "retention_keep",
    "customer_import_upload", "customer_import", "customer_import_template", "export_create",
    "export_download", "angle_settings",
}  # fmt: skip
KARTE_ONLY = {
    "karte_create", "karte_edit", "karte_delete", "karte_print", "customer_history_print", "item_publish",
    "customer_timeline", "customer_ghost",
    "image_upload", "image_status", "image_retry", "image", "customer_preview", "customer_preview_phone",
    "item_portfolio", "item_portfolio_save",
}  # fmt: skip


def _member(world, role):
    from salons.models import StaffMember

    if role == "owner":
        return world.owner
    if role == "stylist":
        return world.stylist
    with scope(salon=world.salon):
        user = get_user_model().objects.create_user(username=f"{world.salon.slug}-reception")
        return StaffMember.objects.create(salon=world.salon, user=user, display_name="受付", role="reception")


@pytest.mark.parametrize("role", ["owner", "stylist", "reception"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_url_answers_each_role_as_its_rights_say(salon_a_objects, salon_a, role, method):
    client = salon_a.client(_member(salon_a, role))
    wrong = {}
    for name in sorted(staff_url_names()):
        status = getattr(client, method)(_url(name, salon_a_objects)).status_code
        forbidden = (name in OWNER_ONLY and role != "owner") or (name in KARTE_ONLY and role == "reception")
        if (status == 403) != forbidden or status >= 500:
            wrong[name] = status
    assert wrong == {}
