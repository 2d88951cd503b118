"""Sending a push, as the push services take it: signed with the app's VAPID key, encrypted so only
the phone can read it, holding nothing but the salon's name and the title. Each answer of the
push service is handled: delivered, gone (the subscription is deleted), busy or failing (later,
after its Retry-After), unreachable (later). The push service is a real HTTP server of the test's
own on 127.0.0.1 (tests/push_service.py): it checks the signature and decrypts the payload."""

import json
import socket

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scope

from linking.models import Device
from linking.services import device_revoke
from push.keys import vapid_pair_check, vapid_pair_new
from push.models import PushSubscription
from push.services import (
    EndpointRefused,
    PushGone,
    PushLater,
    push_endpoint_check,
    push_payload,
    push_send,
    push_subscription_save,
)

from .linking_helpers import linked_phone


def _subscribed(world, service, name="phone"):
    linked_phone(world)
    with scope(salon=world.salon):
        device = Device.objects.get(customer=world.customer, revoked_at__isnull=True)
        return push_subscription_save(device=device, **service.subscribe(name))


def _payload(world):
    return push_payload(
        salon_name=world.salon.name, title="年末年始の営業のお知らせ", url="/s/x/app/notices/1/"
    )


def test_a_push_arrives_signed_and_readable_by_the_phone_alone(salon_a, push_service):
    subscription = _subscribed(salon_a, push_service)
    with scope(salon=salon_a.salon):
        push_send(subscription=subscription, payload=_payload(salon_a))
    assert push_service.refused == []
    (delivered,) = push_service.delivered
    assert json.loads(delivered.payload) == {
        "salon": salon_a.salon.name,
        "title": "年末年始の営業のお知らせ",
        "url": "/s/x/app/notices/1/",
    }
    assert delivered.claims["aud"] == push_service.origin and delivered.claims["sub"].startswith("mailto:")
    assert delivered.ttl > 0 and delivered.urgency == "normal"


def test_a_push_signed_with_another_key_is_refused_by_the_push_service(salon_a, push_service, settings):
    subscription = _subscribed(salon_a, push_service)
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = vapid_pair_new()  # keys changed since
    with scope(salon=salon_a.salon), pytest.raises(Exception, match="401"):
        push_send(subscription=subscription, payload=_payload(salon_a))
    assert push_service.refused == ["another application server key"] and push_service.delivered == []


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_push_service_no_longer_knows_is_deleted(salon_a, push_service, status):
    subscription = _subscribed(salon_a, push_service)
    push_service.answers["phone"] = [(status, {})]
    with scope(salon=salon_a.salon):
        with pytest.raises(PushGone):
            push_send(subscription=subscription, payload=_payload(salon_a))
        assert not PushSubscription.objects.exists()


def test_a_busy_push_service_is_asked_again_after_its_retry_after(salon_a, push_service):
    subscription = _subscribed(salon_a, push_service)
    push_service.answers["phone"] = [(429, {"Retry-After": "120"}), (503, {})]
    with scope(salon=salon_a.salon):
        with pytest.raises(PushLater) as busy:
            push_send(subscription=subscription, payload=_payload(salon_a))
        assert busy.value.retry_after == 120
        with pytest.raises(PushLater) as failing:
            push_send(subscription=subscription, payload=_payload(salon_a))
        assert failing.value.retry_after == 60  # no Retry-After: a minute
        push_send(subscription=subscription, payload=_payload(salon_a))
        assert PushSubscription.objects.filter(pk=subscription.pk).exists()
    assert len(push_service.delivered) == 1


def test_an_unreachable_push_service_means_later(salon_a, push_service):
    subscription = _subscribed(salon_a, push_service)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    subscription.endpoint = f"http://127.0.0.1:{port}/push/phone"
    with scope(salon=salon_a.salon), pytest.raises(PushLater):
        push_send(subscription=subscription, payload=_payload(salon_a))


def test_only_the_browsers_push_services_are_taken_as_endpoints(settings):
    for endpoint in (
        "https://fcm.googleapis.com/fcm/send/abc:def",
        "https://web.push.apple.com/QGuJ2FN0",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
    ):
        push_endpoint_check(endpoint)
    for endpoint in (
        "http://fcm.googleapis.com/fcm/send/abc",  # not encrypted in transit
        "https://evil.example/push",
        "https://fcm.googleapis.com.evil.example/x",
        "https://169.254.169.254/latest/meta-data/",
        "https://127.0.0.1/push",
        "https://push.apple.com.evil.example/",
    ):
        with pytest.raises(EndpointRefused):
            push_endpoint_check(endpoint)


def test_unlinking_the_phone_deletes_its_subscription_at_once(salon_a, push_service):
    subscription = _subscribed(salon_a, push_service)
    with scope(salon=salon_a.salon):
        device_revoke(device=subscription.device, actor=salon_a.owner.user)
        assert not PushSubscription.objects.exists()


def test_a_new_key_pair_is_printed_and_a_mismatched_pair_is_refused(capsys):
    call_command("vapid_keys")
    printed = dict(line.split("=", 1) for line in capsys.readouterr().out.split())
    vapid_pair_check(printed["VAPID_PUBLIC_KEY"], printed["VAPID_PRIVATE_KEY"])
    other_public, _other_private = vapid_pair_new()
    with pytest.raises(ValueError, match="not the private key's pair"):
        vapid_pair_check(other_public, printed["VAPID_PRIVATE_KEY"])
    with pytest.raises(ValueError, match="32 bytes"):
        vapid_pair_check(printed["VAPID_PUBLIC_KEY"], "c2hvcnQ")
    with pytest.raises(ValueError, match="both keys"):
        vapid_pair_check(printed["VAPID_PUBLIC_KEY"], "")


def test_the_app_keeps_the_phones_subscription_and_forgets_it_when_turned_off(salon_a, push_service):
    phone = linked_phone(salon_a)
    on = reverse("customer_app:push_subscribe", kwargs={"slug": salon_a.salon.slug})
    off = reverse("customer_app:push_unsubscribe", kwargs={"slug": salon_a.salon.slug})
    sent = push_service.subscribe("phone")
    browser_json = {"endpoint": sent["endpoint"], "keys": {"p256dh": sent["p256dh"], "auth": sent["auth"]}}
    assert phone.post(on, data=json.dumps(browser_json), content_type="application/json").status_code == 200
    with scope(salon=salon_a.salon):
        assert PushSubscription.objects.get().device.customer == salon_a.customer
    settings_page = phone.get(reverse("customer_app:settings", kwargs={"slug": salon_a.salon.slug}))
    assert 'aria-checked="true"' in settings_page.content.decode()
    for refused in (
        {"endpoint": "https://evil.example/push", "keys": browser_json["keys"]},
        {"endpoint": sent["endpoint"]},
        "not json",
    ):
        body = refused if isinstance(refused, str) else json.dumps(refused)
        response = phone.post(on, data=body, content_type="application/json")
        assert response.status_code == 400 and "プッシュ通知を受け取れません" in response.json()["error"]
    assert phone.post(off).status_code == 204
    with scope(salon=salon_a.salon):
        assert not PushSubscription.objects.exists()


def test_without_keys_the_app_offers_no_push(salon_a, settings):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    phone = linked_phone(salon_a)
    page = phone.get(reverse("customer_app:settings", kwargs={"slug": salon_a.salon.slug})).content.decode()
    assert "data-push" not in page
    on = reverse("customer_app:push_subscribe", kwargs={"slug": salon_a.salon.slug})
    assert phone.post(on, data="{}", content_type="application/json").status_code == 409
