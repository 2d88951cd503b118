"""Finer roles: 受付 (reception) works with customers, sheets and notices but never opens a karte or
a photo; 「個人情報を表示」 decides whether a staff member sees phones, email, address and birthday,
masked otherwise. Owners keep everything. (Every URL × every role: test_staff_url_isolation.py.)"""

import datetime

from django.contrib.auth import get_user_model
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from customers.models import Customer
from salons.models import StaffMember

from .factories import make_karte, make_sheet_response


def _reception(world, **fields):
    with scope(salon=world.salon):
        user = get_user_model().objects.create_user(username="reception", password="pw-reception-123")
        return StaffMember.objects.create(
            salon=world.salon, user=user, display_name="受付 さくら", role="reception", **fields
        )


def _without_personal(member):
    with scopes_disabled():
        StaffMember.objects.filter(pk=member.pk).update(can_view_personal=False)


def _fill_personal(world):
    with scope(salon=world.salon):
        Customer.objects.filter(pk=world.customer.pk).update(
            email="saki@example.jp", birthday=datetime.date(1990, 4, 1), address="東京都渋谷区神宮前1-2-3"
        )


def test_staff_without_the_right_see_personal_details_masked(salon_a):
    _fill_personal(salon_a)
    _without_personal(salon_a.stylist)
    client = salon_a.client(salon_a.stylist)
    listing = client.get(reverse("staff:customer_list")).content.decode()
    assert "090-1111-2222" not in listing and "•••-••••-••22" in listing
    page = client.get(reverse("staff:customer_detail", kwargs={"pk": salon_a.customer.pk})).content.decode()
    for secret in ("090-1111-2222", "saki@example.jp", "1990", "神宮前", "tel:"):
        assert secret not in page, secret
    assert "s•••@•••" in page and "••••/••/••" in page


def test_their_edit_form_neither_shows_nor_changes_the_details(salon_a):
    _fill_personal(salon_a)
    _without_personal(salon_a.stylist)
    client = salon_a.client(salon_a.stylist)
    url = reverse("staff:customer_edit", kwargs={"pk": salon_a.customer.pk})
    form = client.get(url).content.decode()
    assert 'name="phone"' not in form and "090-1111-2222" not in form and "saki@example.jp" not in form
    saved = client.post(url, {"name": "森川 紗季", "kana": "もりかわ さき", "memo": "カラーはアッシュ系"})
    assert saved.status_code == 302
    with scope(salon=salon_a.salon):
        customer = Customer.objects.get(pk=salon_a.customer.pk)
    assert (customer.phone, customer.email, customer.memo) == (
        "090-1111-2222",
        "saki@example.jp",
        "カラーはアッシュ系",
    )


def test_a_counselling_sheet_masks_them_too(salon_a):
    response = make_sheet_response(salon_a, name="問診 花子")
    _without_personal(salon_a.stylist)
    page = salon_a.client(salon_a.stylist).get(reverse("staff:sheet_detail", kwargs={"pk": response.pk}))
    assert response.phone and response.phone not in page.content.decode()


def test_owners_keep_everything(salon_a):
    _fill_personal(salon_a)
    _without_personal(salon_a.owner)  # the switch does not apply to owners
    page = salon_a.client().get(reverse("staff:customer_detail", kwargs={"pk": salon_a.customer.pk}))
    assert "090-1111-2222" in page.content.decode() and "saki@example.jp" in page.content.decode()


def test_reception_sees_the_customer_without_kartes_or_photos(salon_a):
    make_karte(salon_a, text="秘密の施術メモ")
    reception = salon_a.client(_reception(salon_a))
    page = reception.get(
        reverse("staff:customer_detail", kwargs={"pk": salon_a.customer.pk})
    ).content.decode()
    assert "秘密の施術メモ" not in page and "/images/" not in page
    assert reverse("staff:karte_create", kwargs={"customer_pk": salon_a.customer.pk}) not in page
    assert "受付には表示されません" in page
    assert "090-1111-2222" in page  # the front desk calls customers: with the right, details show
    for name in ("staff:sheet_inbox", "staff:notice_list", "staff:notice_create", "staff:customer_create"):
        assert reception.get(reverse(name)).status_code == 200, name


def test_the_owner_gives_and_takes_the_rights(salon_a):
    owner = salon_a.client()
    form = owner.get(reverse("staff:staff_edit", kwargs={"pk": salon_a.stylist.pk})).content.decode()
    assert "受付" in form and "個人情報を表示" in form
    owner.post(
        reverse("staff:staff_edit", kwargs={"pk": salon_a.stylist.pk}),
        {"display_name": salon_a.stylist.display_name, "role": "reception", "is_active": "on"},
    )
    with scopes_disabled():
        member = StaffMember.objects.get(pk=salon_a.stylist.pk)
    assert (member.role, member.can_view_personal) == ("reception", False)
    karte = make_karte(salon_a)
    response = salon_a.client(member).get(reverse("staff:karte_edit", kwargs={"pk": karte.pk}))
    assert response.status_code == 403 and "受付はカルテと写真を開けません" in response.content.decode()


def test_the_platform_admin_sees_no_salons_customers(salon_a, client):
    operator = get_user_model().objects.create_superuser(username="operator", password="pw-operator-123")
    client.force_login(operator)
    index = client.get("/admin/").content.decode()
    assert "/admin/salons/salon/" in index  # what the platform runs: salons and their logins
    for path in ("/admin/customers/", "/admin/customers/customer/", "/admin/kartes/karte/"):
        assert client.get(path).status_code == 404, path
    assert salon_a.customer.name not in index
