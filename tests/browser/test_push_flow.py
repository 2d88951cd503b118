"""The customer turns push on in the app's settings; a notice posted by staff is pushed through a push
service of the test's own (tests/push_service.py: VAPID checked, payload decrypted), the app's
service worker shows it with the salon's name and the title, and tapping it opens the notice.

Headless Chromium here has no push service of its own: where pushManager.subscribe() cannot
complete, the test says so and keeps a subscription it made for that phone at its push service.
The push is handed to the service worker through the DevTools protocol
(ServiceWorker.deliverPushMessage) with the payload the push service decrypted. The protocol
cannot tap a notification: the tap is dispatched in the service worker as the browser would, a
notificationclick with the notification it shows."""

import json
import warnings

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from linking.models import Device
from push.models import PushSubscription
from push.services import push_subscription_save
from tests.factories import make_notice

from .test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _registration_id(page, cdp, scope_url):
    """The service worker registration of the app's scope, as the DevTools protocol reports it."""
    registrations = {}
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.update(
            {r["scopeURL"]: r["registrationId"] for r in event["registrations"]}
        ),
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(500):  # each round trip to the page hands over the events that have come
        if scope_url in registrations:
            return registrations[scope_url]
        page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    return None


def test_a_notice_reaches_the_phone_as_a_push_and_tapping_it_opens_the_notice(
    live_server, salon_a, link_phone, push_service, screenshot
):
    phone = link_phone(salon_a, salon_a.customer)
    phone.context.grant_permissions(["notifications"], origin=live_server.url)
    app = f"{live_server.url}/s/{salon_a.salon.slug}/app/"
    phone.goto(app + "settings/")
    switch = phone.get_by_role("switch", name="プッシュ通知を受け取る")
    expect(switch).to_have_attribute("aria-checked", "false")
    switch.click()
    state = phone.locator("[data-push-state]")
    expect(state).not_to_be_empty()
    with scope(salon=salon_a.salon):
        device = Device.objects.get(customer=salon_a.customer, revoked_at__isnull=True)
        subscribed = PushSubscription.objects.filter(device=device).exists()
    if subscribed:
        expect(switch).to_have_attribute("aria-checked", "true")
    else:
        # No push service in this Chromium: the app says so plainly, and the test subscribes for it.
        expect(state).to_have_text(
            "プッシュ通知をオンにできませんでした。しばらくしてからもう一度お試しください。"
        )
        warnings.warn(
            "pushManager.subscribe() cannot complete here; the test made the subscription", stacklevel=1
        )
        with scope(salon=salon_a.salon):
            push_subscription_save(device=device, **push_service.subscribe("phone"))
        phone.reload()
        expect(switch).to_have_attribute("aria-checked", "true")
    screenshot(phone, "39-phone-push-setting")
    assert violations(phone) == []  # axe-core, as on every other page

    # Posted now: planned as soon as it is saved and sent by the task queue (run in place here).
    notice = make_notice(salon_a, title="年末年始の営業のお知らせ")
    (delivered,) = push_service.delivered
    assert json.loads(delivered.payload) == {
        "salon": salon_a.salon.name,
        "title": "年末年始の営業のお知らせ",
        "url": f"/s/{salon_a.salon.slug}/app/notices/{notice.pk}/",
    }

    phone.goto(app)
    cdp = phone.context.new_cdp_session(phone)
    registration = _registration_id(phone, cdp, app)
    assert registration is not None, "the app's service worker is registered for its own scope"
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": live_server.url, "registrationId": registration, "data": delivered.payload},
    )
    # The service worker shows it in its own time; the page asks until it is there (20 s at most).
    shown = phone.evaluate(
        """async (scope) => {
            const registration = await navigator.serviceWorker.getRegistration(scope);
            const deadline = Date.now() + 20000;
            for (;;) {
                const shown = await registration.getNotifications();
                if (shown.length || Date.now() > deadline) {
                    return shown.map((n) => ({ title: n.title, body: n.body, url: n.data.url }));
                }
                await new Promise((resolve) => requestAnimationFrame(resolve));
            }
        }""",
        app,
    )
    assert shown == [
        {
            "title": salon_a.salon.name,
            "body": "年末年始の営業のお知らせ",
            "url": f"/s/{salon_a.salon.slug}/app/notices/{notice.pk}/",
        }
    ]

    (worker,) = [w for w in phone.context.service_workers if w.url.startswith(app)]
    worker.evaluate(
        """async () => {
            const [notification] = await self.registration.getNotifications();
            self.dispatchEvent(new NotificationEvent("notificationclick", { notification }));
        }"""
    )
    phone.wait_for_url(f"**/s/{salon_a.salon.slug}/app/notices/{notice.pk}/")
    expect(phone.get_by_role("heading", name="年末年始の営業のお知らせ")).to_be_visible()
