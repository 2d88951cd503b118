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
import os
import shutil
import subprocess
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


WAIT_FOR_NOTIFICATIONS = """async (scope) => {
    const registration = await navigator.serviceWorker.getRegistration(scope);
    const deadline = Date.now() + 10000;
    for (;;) {
        const shown = await registration.getNotifications();
        if (shown.length || Date.now() > deadline) {
            return shown.map((n) => ({ title: n.title, body: n.body, url: n.data.url }));
        }
        await new Promise((resolve) => requestAnimationFrame(resolve));
    }
}"""


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
    live_server, salon_a, link_phone, push_service, screenshot, monkeypatch
):
    # Whatever the hour the suite runs at: quiet hours (nothing pushed 21:00–9:00 in the salon's
    # time) are tested on their own in test_push_fanout.py; here the push goes at once.
    monkeypatch.setattr("push.services.push_due_at", lambda *, salon, now: now)
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
    # The service worker shows it in its own time; the page asks until it is there (10 s at most).
    # On a loaded machine the protocol can drop a push handed over while the worker is starting:
    # as a push service retries, the test hands it over again (its tag makes it one notification).
    shown = []
    for _attempt in range(3):
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": live_server.url, "registrationId": registration, "data": delivered.payload},
        )
        shown = phone.evaluate(WAIT_FOR_NOTIFICATIONS, app)
        if shown:
            break
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


@pytest.mark.skipif(
    os.environ.get("KARTE_SCREENSHOTS") != "1" or shutil.which("Xvfb") is None,
    reason="the README's picture of a notification (make screenshots, with Xvfb): a notification is drawn "
    "by the browser outside the page, so only a display shows it",
)
def test_the_notification_as_chromium_draws_it(live_server, salon_a, push_service, playwright, tmp_path):
    """Chromium with a window on a virtual display (Xvfb), so its own notification pop-up is drawn."""
    from PIL import ImageGrab

    from tests.linking_helpers import issue

    from .conftest import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS

    display = f":{90 + os.getpid() % 9}"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "900x700x24"], stderr=subprocess.DEVNULL)
    try:
        args = [a for a in CHROMIUM_ARGS if a != "--headless"]
        args.append("--disable-features=NativeNotifications,SystemNotifications")
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=False, args=args,
            env={**os.environ, "DISPLAY": display}, viewport={"width": 390, "height": 500}, locale="ja-JP",
        )  # fmt: skip
        context.grant_permissions(["notifications"], origin=live_server.url)
        page = context.pages[0]
        app = f"{live_server.url}/s/{salon_a.salon.slug}/app/"
        page.goto(app)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=45_000)
        page.get_by_label("または8桁の番号を入力").fill(issue(salon_a, salon_a.customer).numeric)
        page.get_by_role("button", name="連携する").click()
        expect(page.get_by_role("heading", name=f"{salon_a.customer.name}様")).to_be_visible()
        with scope(salon=salon_a.salon):
            device = Device.objects.get(customer=salon_a.customer, revoked_at__isnull=True)
            push_subscription_save(device=device, **push_service.subscribe("phone"))
        make_notice(salon_a, title="年末年始の営業のお知らせ")
        (delivered,) = push_service.delivered
        cdp = context.new_cdp_session(page)
        registration = _registration_id(page, cdp, app)
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": live_server.url, "registrationId": registration, "data": delivered.payload},
        )
        assert page.evaluate(WAIT_FOR_NOTIFICATIONS, app)

        # The pop-up slides in at the display's lower right corner: the picture is taken once it is
        # there (the corner no longer the empty screen's black) and has come to rest.
        def corner():
            return ImageGrab.grab(xdisplay=display).crop((420, 360, 900, 700))

        frames, still = [corner()], 0
        for _ in range(1200):
            frames.append(corner())
            drawn = frames[-1].convert("L").point(lambda v: 255 if v > 128 else 0).getbbox()
            still = still + 1 if drawn and frames[-1].tobytes() == frames[-2].tobytes() else 0
            if still >= 10:
                break
        else:
            raise AssertionError("Chromium drew no notification on the display")
        # The pop-up's light grey, not the page's white or the empty screen's black.
        grey = frames[-1].convert("L").point(lambda v: 255 if 200 <= v <= 245 else 0).getbbox()
        assert grey is not None
        popup = frames[-1].crop(grey)
        assert popup.width > 200 and popup.height > 50, popup.size
        frames[-1] = popup
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        frames[-1].save(SCREENSHOTS / "40-push-notification.png")
        context.close()
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=10)
