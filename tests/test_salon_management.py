"""Owners manage staff and salon settings; platform operators create salons and switch the
customer-app option; the demo loads once."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from PIL import Image

from audit.models import AuditEntry
from customers.models import Customer
from salons import actions as salons_actions
from salons.models import Salon, StaffMember


def test_an_owner_adds_a_stylist_who_can_log_in(salon_a, client):
    response = salon_a.client().post(
        reverse("staff:staff_create"),
        {"display_name": "新人 さん", "username": "newbie", "password": "long-enough-pw", "role": "stylist"},
    )
    assert response.status_code == 302
    assert client.login(username="newbie", password="long-enough-pw")
    assert client.get(reverse("staff:customer_list")).status_code == 200
    with scope(salon=salon_a.salon):
        assert AuditEntry.objects.filter(action=salons_actions.STAFF_CREATE).exists()


def test_a_taken_login_name_is_refused_in_japanese(salon_a, salon_b):
    response = salon_a.client().post(
        reverse("staff:staff_create"),
        {
            "display_name": "重複",
            "username": "SALON-B-OWNER",
            "password": "long-enough-pw",
            "role": "stylist",
        },
    )
    assert "このログイン名はすでに使われています。" in response.content.decode()


def test_a_deactivated_stylist_can_no_longer_use_the_salon(salon_a):
    stylist_client = salon_a.client(salon_a.stylist)
    url = reverse("staff:staff_edit", kwargs={"pk": salon_a.stylist.pk})
    salon_a.client().post(url, {"display_name": salon_a.stylist.display_name, "role": "stylist"})
    # Logged out at once (their session is gone), so the next page is the login page.
    response = stylist_client.get(reverse("staff:customer_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_an_owner_cannot_remove_their_own_owner_access(salon_a):
    url = reverse("staff:staff_edit", kwargs={"pk": salon_a.owner.pk})
    response = salon_a.client().post(url, {"display_name": "x", "role": "stylist", "is_active": "on"})
    assert "自分自身のオーナー権限は外せません。" in response.content.decode()
    with scopes_disabled():
        assert StaffMember.objects.get(pk=salon_a.owner.pk).role == "owner"


def test_salon_settings_store_a_clean_square_logo(salon_a):
    photo = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    Image.new("RGB", (300, 150), (10, 20, 200)).save(photo, format="JPEG", exif=exif.tobytes())
    response = salon_a.client().post(
        reverse("staff:salon_settings"),
        {
            "name": "サロンA 本店",
            "theme_color": "#336699",
            "timezone": "Asia/Tokyo",
            "logo_upload": SimpleUploadedFile("logo.jpg", photo.getvalue(), "image/jpeg"),
        },
    )
    assert response.status_code == 302
    salon = Salon.objects.get(pk=salon_a.salon.pk)
    assert (salon.name, salon.theme_color) == ("サロンA 本店", "#336699")
    logo = salon_a.client().get(reverse("staff:salon_logo"))
    data = b"".join(logo.streaming_content)
    image = Image.open(io.BytesIO(data))
    assert image.size == (512, 512) and b"CameraMaker" not in data


def test_the_owner_names_the_app_and_sees_its_icon_before_saving(salon_a):
    from salons.icons import icon_letter

    client = salon_a.client()
    page = client.get(reverse("staff:salon_settings")).content.decode()
    # Likely zones first, then every other under its own heading; a search box narrows them.
    assert (
        page.index('value="Asia/Tokyo"')
        < page.index('label="すべてのタイムゾーン"')
        < page.index("Africa/Abidjan")
    )
    assert "data-timezone-filter" in page and 'type="file"' in page
    preview = client.get(
        reverse("staff:salon_icon_preview"), {"name": "Hair Salon Hana", "theme_color": "#336699"}
    )
    assert preview["Content-Type"] == "image/png" and preview["Cache-Control"] == "no-store"
    other = client.get(
        reverse("staff:salon_icon_preview"), {"name": "Hair Salon Hana", "theme_color": "#993366"}
    )
    assert preview.content != other.content  # follows the colour being chosen
    data = {
        "name": "Hair Salon Hana",
        "app_name": "  ハナ  ",
        "theme_color": "#336699",
        "timezone": "Asia/Tokyo",
    }
    assert client.post(reverse("staff:salon_settings"), data).status_code == 302
    salon = Salon.objects.get(pk=salon_a.salon.pk)
    assert (salon.app_name, salon.app_title, salon.initial) == ("ハナ", "ハナ", "ハ")
    assert icon_letter(salon)[0] == "ハ"
    too_long = client.post(
        reverse("staff:salon_settings"), {**data, "app_name": "ヘアサロン ハナ 表参道本店"}
    )
    assert "アプリ名は12文字以内にしてください。" in too_long.content.decode()
    assert "ヘアサロン ハナ 表参道本店" in too_long.content.decode()  # kept for fixing


def test_without_an_app_name_the_salon_name_and_its_first_letter_are_used(salon_a):
    import json

    from .linking_helpers import app_url, linked_phone

    Salon.objects.filter(pk=salon_a.salon.pk).update(name="Hair Salon Hana", slug="demo-salon")
    salon_a.salon.refresh_from_db()
    assert salon_a.salon.initial == "H"  # not the D of its URL name
    manifest = json.loads(salon_a.client().get(app_url(salon_a, "manifest")).content)
    assert manifest["short_name"] == "Hair Salon Hana"  # the phone shortens it, not us
    home = linked_phone(salon_a).get(app_url(salon_a)).content.decode()
    assert '<meta name="apple-mobile-web-app-title" content="Hair Salon Hana">' in home
    Salon.objects.filter(pk=salon_a.salon.pk).update(app_name="Hana")
    manifest = json.loads(salon_a.client().get(app_url(salon_a, "manifest")).content)
    assert manifest["short_name"] == "Hana" and manifest["name"] == "Hair Salon Hana"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("theme_color", "blue", "#b5838d のような形式で色を入力してください。"), ("timezone", "Mars/Base", "")],
)
def test_bad_salon_settings_are_refused(salon_a, field, value, message):
    data = {"name": "サロンA", "theme_color": "#336699", "timezone": "Asia/Tokyo", field: value}
    response = salon_a.client().post(reverse("staff:salon_settings"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert getattr(Salon.objects.get(pk=salon_a.salon.pk), field) != value


def test_the_platform_admin_switches_the_customer_app_option(db, client):
    operator = get_user_model().objects.create_superuser(username="op", password="op-password-1")
    salon = Salon.objects.create(name="新サロン", slug="new-salon")
    client.force_login(operator)
    page = client.get(reverse("admin:salons_salon_changelist"))
    assert "Karte 運営管理" in page.content.decode()
    response = client.post(
        reverse("admin:salons_salon_change", args=[salon.pk]),
        {
            "name": "新サロン",
            "slug": "new-salon",
            "customer_app_enabled": "on",
            "theme_color": "#b5838d",
            "timezone": "Asia/Tokyo",
            "staff-TOTAL_FORMS": "0",
            "staff-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    salon.refresh_from_db()
    assert salon.customer_app_enabled is True
    # The operator's change is in the salon's own audit log, like a staff action.
    with scope(salon=salon):
        entry = AuditEntry.objects.get(action=salons_actions.SALON_UPDATE)
    assert entry.actor_name == "op"
    assert entry.data == {"fields": ["customer_app_enabled"], "via": "platform admin"}


def test_create_salon_from_the_shell(db, client):
    call_command(
        "create_salon",
        "--name=Nail Salon Mio",
        "--slug=mio",
        "--owner=mio-owner",
        "--owner-name=美緒",
        "--password=mio-password-1",
        "--customer-app",
    )
    salon = Salon.objects.get(slug="mio")
    assert salon.customer_app_enabled
    assert client.login(username="mio-owner", password="mio-password-1")
    assert client.get(reverse("staff:staff_list")).status_code == 200


def test_the_demo_loads_once(db, own_storage):
    from counselling.models import ResponseStatus, SheetResponse

    call_command("load_demo", customers=3)
    call_command("load_demo", customers=3)
    salon = Salon.objects.get(slug="demo")
    with scope(salon=salon):
        assert Customer.objects.count() == 3
        assert salon.customer_app_enabled
        # Counselling sheets: two waiting at the counter, one sent from the app, all signed.
        assert SheetResponse.objects.filter(status=ResponseStatus.RECEIVED).count() == 2
        assert SheetResponse.objects.filter(source="app", customer__isnull=False).count() == 1
        assert not SheetResponse.objects.filter(signature="").exists()
        # The portraits are taken from the front, so 「アングル別の記録」 has something to show.
        from kartes.models import KarteItem

        assert KarteItem.objects.filter(kind="photo", angle__name="正面").exists()
        # A week of appointments, none of one staff member overlapping another.
        from appointments.models import HOLDS_TIME, Appointment

        booked = list(Appointment.objects.filter(state__in=HOLDS_TIME, staff__isnull=False))
        assert len({a.starts_at.date() for a in booked}) >= 5
        for a in booked:
            for b in booked:
                if a.pk < b.pk and a.staff_id == b.staff_id:
                    assert a.ends_at <= b.starts_at or b.ends_at <= a.starts_at


def test_the_demo_prints_its_addresses_on_the_chosen_port_and_when_the_code_runs_out(db):
    import io
    import re

    from linking.services import link_code_redeem

    out = io.StringIO()
    call_command("load_demo", customers=2, base_url="http://127.0.0.1:8080", stdout=out)
    printed = out.getvalue()
    assert "http://127.0.0.1:8080/  (salon:" in printed and "http://127.0.0.1:8080/admin/" in printed
    assert ":8000" not in printed
    found = re.search(
        r"open http://127\.0\.0\.1:8080/s/demo/app/ and type\n"
        r"  (\d{8}) to link .* \(valid until (\d\d:\d\d) Asia/Tokyo",
        printed,
    )
    assert found, printed
    # A fresh code on demand: the earlier one stops working, the new one links a phone.
    again = io.StringIO()
    call_command("link_code", stdout=again)
    fresh = re.search(r"type\n  (\d{8}) to link", again.getvalue())
    assert fresh and fresh.group(1) != found.group(1)
    salon = Salon.objects.get(slug="demo")
    with scope(salon=salon):
        device, _ = link_code_redeem(salon=salon, numeric=fresh.group(1))
        assert device.customer.name in again.getvalue()


def test_link_code_says_what_is_missing(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no salon"):
        call_command("link_code", salon="nowhere")


def test_the_platform_admin_adds_an_owner_to_a_salon(db, client):
    User = get_user_model()
    operator = User.objects.create_superuser(username="op", password="op-password-1")
    owner_login = User.objects.create_user(username="new-owner", password="owner-password-1")
    salon = Salon.objects.create(name="新サロン", slug="new-salon")
    client.force_login(operator)
    response = client.post(
        reverse("admin:salons_salon_change", args=[salon.pk]),
        {
            "name": "新サロン",
            "slug": "new-salon",
            "theme_color": "#b5838d",
            "timezone": "Asia/Tokyo",
            "staff-TOTAL_FORMS": "1",
            "staff-INITIAL_FORMS": "0",
            "staff-0-user": str(owner_login.pk),
            "staff-0-display_name": "新オーナー",
            "staff-0-role": "owner",
            "staff-0-is_active": "on",
        },
    )
    assert response.status_code == 302
    with scope(salon=salon):
        assert AuditEntry.objects.filter(action=salons_actions.STAFF_CREATE, actor_name="op").count() == 1
    client.logout()
    assert client.login(username="new-owner", password="owner-password-1")
    assert client.get(reverse("staff:salon_settings")).status_code == 200
