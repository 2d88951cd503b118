"""A phone keeps only what its customer may see now: once online after an unpublish, a karte
deletion or a revoke, the service worker's cache drops what is gone; what is still public keeps
opening offline. Checked in Chromium through caches and offline fetches."""

import datetime

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from kartes.services import item_set_public, karte_delete
from linking.models import Device
from linking.services import device_revoke

from ..factories import make_karte
from ..linking_helpers import issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CACHED = """async () => {
    const cache = await caches.open("karte-personal-salon-a");
    return (await cache.keys()).map((request) => new URL(request.url).pathname);
}"""


def _cached(phone):
    return phone.evaluate(CACHED)


def _wait_until_cached(phone, predicate_js):
    phone.wait_for_function(
        f"""async () => {{
            const cache = await caches.open("karte-personal-salon-a");
            const paths = (await cache.keys()).map((request) => new URL(request.url).pathname);
            return ({predicate_js})(paths);
        }}"""
    )


def test_the_phone_drops_what_is_no_longer_visible_and_keeps_what_is(live_server, open_phone, salon_a):
    kept = make_karte(salon_a, public_text=True, public_photo=True, text="公開したままのメモ")
    deleted = make_karte(salon_a, public_text=True, text="消されるカルテ", date=datetime.date(2026, 10, 1))
    with scope(salon=salon_a.salon):
        photo = kept.items.get(kind="photo")
    image_path = f"/s/salon-a/app/images/{photo.image_id}/"
    kept_path = f"/s/salon-a/app/kartes/{kept.pk}/"
    deleted_path = f"/s/salon-a/app/kartes/{deleted.pk}/"

    phone = open_phone(video=None, camera_allowed=False)
    phone.goto(f"{live_server.url}/s/salon-a/app/")
    phone.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=45_000)
    phone.get_by_label("または8桁の番号を入力").fill(issue(salon_a).numeric)
    phone.get_by_role("button", name="連携する").click()
    phone.goto(live_server.url + deleted_path)
    expect(phone.get_by_text("消されるカルテ")).to_be_visible()
    phone.goto(live_server.url + kept_path)
    expect(phone.get_by_text("公開したままのメモ")).to_be_visible()
    # Both copies the phone has shown (the list's small one, the karte's large one) are stored before
    # anything changes: a store still in flight could land after the pruning below.
    _wait_until_cached(
        phone,
        f"(p) => ['{image_path}small/', '{image_path}large/', '{deleted_path}'].every((x) => p.includes(x))",
    )

    with scope(salon=salon_a.salon):
        item_set_public(item=photo, actor=salon_a.owner.user, public=False)
        karte_delete(karte=deleted, actor=salon_a.owner.user)
    phone.reload()  # the first time online afterwards
    _wait_until_cached(
        phone, f"(p) => !p.some((x) => x.startsWith('{image_path}')) && !p.includes('{deleted_path}')"
    )
    assert kept_path in _cached(phone)

    gone = phone.evaluate(
        """async (url) => (await (await caches.open("karte-personal-salon-a")).match(url)) === undefined""",
        f"{live_server.url}{image_path}large/",
    )
    assert gone  # nothing left to answer an offline request for the photo
    phone.context.set_offline(True)
    phone.reload()
    expect(phone.get_by_text("公開したままのメモ")).to_be_visible()  # still public: readable offline
    phone.context.set_offline(False)

    with scope(salon=salon_a.salon):
        device_revoke(device=Device.objects.get())
    phone.reload()
    _wait_until_cached(
        phone,
        "(p) => !p.some((x) => x.includes('/kartes/') || x.includes('/images/') || x.includes('/notices/'))",
    )
