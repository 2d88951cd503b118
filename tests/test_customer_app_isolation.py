"""Every customer-app URL, tried by another customer's phone, another salon's phone and a phone
with no link: none of them gets anything of this customer."""

import datetime
import json

import pytest
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone
from django_scopes import scope

from appointments.models import Appointment
from appointments.services import appointment_book, booking_request_create
from counselling.models import Sheet
from counselling.services import sheet_link_create, sheet_preset_apply
from customer_app import urls as app_urls

from .factories import make_karte, make_notice, make_sheet_response
from .linking_helpers import linked_phone

SECRET_TEXT = "森川様だけのメモ"

# url name -> (method, how to build its arguments from the victim's objects)
APP_URLS = {
    "home": ("get", lambda o: {}),
    "karte": ("get", lambda o: {"pk": o["karte"].pk}),
    "timeline": ("get", lambda o: {}),
    "image": ("get", lambda o: {"pk": o["image"].pk, "size": "large"}),
    "settings": ("get", lambda o: {}),
    "salon": ("get", lambda o: {}),
    "notices": ("get", lambda o: {}),
    "appointment_ics": ("get", lambda o: {"pk": o["appointment"].pk}),
    "booking": ("get", lambda o: {}),
    "booking_accept": ("post", lambda o: {"pk": o["booking_request"].pk}),
    "appointment_cancel": ("post", lambda o: {"pk": o["appointment"].pk}),
    "appointment_change": ("get", lambda o: {"pk": o["appointment"].pk}),
    "photo_portfolio": ("post", lambda o: {"pk": o["photo_item"].pk}),
    "notice": ("get", lambda o: {"pk": o["notice"].pk}),
    "notice_read": ("post", lambda o: {"pk": o["notice"].pk}),
    "unlink": ("post", lambda o: {}),
    "link": ("post", lambda o: {}),
    "manifest": ("get", lambda o: {}),
    "service_worker": ("get", lambda o: {}),
    "offline": ("get", lambda o: {}),
    "icon": ("get", lambda o: {"size": 192}),
    "visible": ("get", lambda o: {}),
    "data_request": ("post", lambda o: {}),
    "push_subscribe": ("post", lambda o: {}),
    "push_unsubscribe": ("post", lambda o: {}),
    "sheet": ("get", lambda o: {}),
}
SECRET_ANSWER = "森川様だけの問診の答え"


# The counselling sheet opened from the counter's QR code or a sent link, with no app: what it
# answers depends on the salon in the address and the link, never on a phone's link.
SHEET_URLS = {"sheet_public", "sheet_sent"}


def test_every_customer_app_url_is_covered():
    assert {p.name for p in app_urls.app_patterns if isinstance(p, URLPattern)} == set(APP_URLS)
    assert {p.name for p in app_urls.urlpatterns if isinstance(p, URLPattern)} == SHEET_URLS


def test_a_sheet_link_opens_only_at_its_own_salon_and_the_sent_page_holds_nothing(salon_a, salon_b):
    with scope(salon=salon_a.salon):
        sheet_preset_apply(salon=salon_a.salon, salon_type="hair", actor=salon_a.owner.user)
        _link, token = sheet_link_create(salon=salon_a.salon, actor=salon_a.owner.user, single_use=True)
    make_sheet_response(salon_a, customer=salon_a.customer, answer=SECRET_ANSWER)
    phone = Client()
    own = phone.get(reverse("customer_app:sheet_public", kwargs={"slug": salon_a.salon.slug, "token": token}))
    assert own.status_code == 200
    elsewhere = phone.get(
        reverse("customer_app:sheet_public", kwargs={"slug": salon_b.salon.slug, "token": token})
    )
    assert elsewhere.status_code == 404 and salon_a.salon.name not in elsewhere.content.decode()
    for world in (salon_a, salon_b):
        sent = phone.get(reverse("customer_app:sheet_sent", kwargs={"slug": world.salon.slug}))
        body = sent.content.decode()
        assert SECRET_ANSWER not in body and salon_a.customer.name not in body


@pytest.fixture
def victim(salon_a):
    karte = make_karte(salon_a, public_text=True, public_photo=True, text=SECRET_TEXT)
    with scope(salon=salon_a.salon):
        image = karte.items.get(kind="photo").image
    phone = linked_phone(salon_a)
    notice = make_notice(salon_a, customer=salon_a.customer, title="森川様へのご案内", body=SECRET_TEXT)
    make_sheet_response(salon_a, customer=salon_a.customer, answer=SECRET_ANSWER)
    with scope(salon=salon_a.salon):
        Sheet.objects.filter(salon=salon_a.salon).update(shows_answers_to_customer=True)
    with scope(salon=salon_a.salon):
        appointment = appointment_book(
            salon=salon_a.salon, actor=None, customer=salon_a.customer, staff=salon_a.stylist,
            starts_at=timezone.now() + datetime.timedelta(days=5), note=SECRET_TEXT,
        )  # fmt: skip
        salon_a.salon.app_booking = "requests"
        salon_a.salon.save()
        asked, _booked = booking_request_create(
            salon=salon_a.salon, customer=salon_a.customer, staff=None, menus=[],
            times=[timezone.now() + datetime.timedelta(days=6)], note=SECRET_TEXT,
        )  # fmt: skip
        asked.state, asked.proposed_at = "proposed", timezone.now() + datetime.timedelta(days=7)
        asked.save()
    return {
        "karte": karte, "image": image, "phone": phone, "notice": notice, "appointment": appointment,
        "booking_request": asked, "photo_item": _asked_photo(karte, salon_a),
    }  # fmt: skip


def _asked_photo(karte, world):
    """The karte's public photo, which the salon asked to show as its work."""
    from kartes.portfolio import portfolio_ask

    with scope(salon=world.salon):
        return portfolio_ask(item=karte.items.get(kind="photo"), actor=world.owner.user)


@pytest.fixture
def intruders(salon_a, salon_b, victim):
    make_karte(salon_a, customer=salon_a.other_customer, public_text=True, text="佐藤様のメモ")
    return {
        "other customer": linked_phone(salon_a, salon_a.other_customer),
        "other salon": linked_phone(salon_b),
        "no device": Client(),
    }


def _url(salon_a, name, victim):
    return reverse(f"customer_app:{name}", kwargs={"slug": salon_a.salon.slug, **APP_URLS[name][1](victim)})


@pytest.mark.parametrize("name", sorted(APP_URLS))
@pytest.mark.parametrize("who", ["other customer", "other salon", "no device"])
def test_nobody_else_gets_anything_of_this_customer(salon_a, victim, intruders, name, who):
    method = APP_URLS[name][0]
    response = getattr(intruders[who], method)(_url(salon_a, name, victim))
    # 204 and 409: another linked phone turning push off, or asking for it where it is not set up, for itself.
    assert response.status_code in {200, 204, 302, 400, 404, 409}
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode(errors="replace")
    assert SECRET_TEXT not in text
    assert salon_a.customer.name not in text
    assert str(victim["image"].pk) not in text
    assert "森川様へのご案内" not in text
    assert SECRET_ANSWER not in text
    if name in {
        "karte",
        "image",
        "notice",
        "notice_read",
        "appointment_ics",
        "appointment_cancel",
        "appointment_change",
        "booking_accept",
        "photo_portfolio",
    }:
        assert response.status_code in {302, 404}


def test_the_owner_of_the_data_does_get_it(salon_a, victim):
    phone = victim["phone"]
    home = phone.get(_url(salon_a, "home", victim)).content.decode()
    assert salon_a.customer.name in home
    karte = phone.get(_url(salon_a, "karte", victim)).content.decode()
    assert SECRET_TEXT in karte
    assert phone.get(_url(salon_a, "image", victim)).status_code == 200
    # The salon shows customers their own answers: the sheet starts from them.
    assert SECRET_ANSWER in phone.get(_url(salon_a, "sheet", victim)).content.decode()


def test_another_salons_phone_is_not_recognised_here(salon_a, salon_b, victim):
    phone = linked_phone(salon_b)
    body = phone.get(reverse("customer_app:home", kwargs={"slug": salon_a.salon.slug})).content.decode()
    assert "QRコードをスキャン" in body
    assert salon_b.customer.name not in body


def test_another_phone_cannot_turn_this_phones_push_on_or_off(salon_a, salon_b, victim, push_service):
    """Push is kept per phone: the other customer's phone and another salon's phone act on their
    own subscription at most, and the customer's stays as it was."""
    from linking.models import Device
    from push.models import PushSubscription
    from push.services import push_subscription_save

    with scope(salon=salon_a.salon):
        device = Device.objects.get(customer=salon_a.customer, revoked_at__isnull=True)
        push_subscription_save(device=device, **push_service.subscribe("victim"))
    other = linked_phone(salon_a, salon_a.other_customer)
    elsewhere = linked_phone(salon_b)
    for phone in (other, elsewhere, Client()):
        phone.post(_url(salon_a, "push_unsubscribe", victim))
        phone.post(
            _url(salon_a, "push_subscribe", victim),
            data=json.dumps({**push_service.subscribe("intruder"), "keys": {"p256dh": "x", "auth": "y"}}),
            content_type="application/json",
        )
    with scope(salon=salon_a.salon):
        kept = PushSubscription.objects.get(device=device)
        assert kept.endpoint.endswith("/push/victim")
        assert (
            not PushSubscription.objects.filter(device__customer=salon_a.customer)
            .exclude(pk=kept.pk)
            .exists()
        )


def test_another_phone_cannot_cancel_or_move_this_customers_appointment(salon_a, victim, intruders):
    another_time = (timezone.localtime() + datetime.timedelta(days=8)).strftime("%Y-%m-%dT%H:00")
    for phone in intruders.values():
        phone.post(_url(salon_a, "appointment_cancel", victim))
        assert phone.post(
            _url(salon_a, "appointment_change", victim), {"time_1": another_time}
        ).status_code in {
            302,
            404,
        }
    with scope(salon=salon_a.salon):
        kept = Appointment.objects.get(pk=victim["appointment"].pk)
        assert kept.state == "booked" and kept.starts_at == victim["appointment"].starts_at
        assert not kept.change_requests.exists()
    # The customer's own phone can ask (so the refusals above are the other phones', not the form's).
    own = victim["phone"].post(_url(salon_a, "appointment_change", victim), {"time_1": another_time})
    assert own.status_code == 302
    with scope(salon=salon_a.salon):
        assert kept.change_requests.count() == 1
