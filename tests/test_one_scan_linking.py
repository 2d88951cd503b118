"""One-scan linking: Step 1's QR code carries its own single-use code after # in the app's address;
opening it links the browser at once. Both codes of a pair expire and are single-use, and staff see
「連携済み」 whichever was used."""

import datetime
import re

from django.db.models import F
from django.urls import reverse
from django_scopes import scope

from linking.models import Device, LinkCode

from .linking_helpers import issue, link_url


def codes_panel(world):
    """The staff panel with both QR codes, as the tablet receives it."""
    return world.client().post(reverse("staff:link_code_create", kwargs={"pk": world.customer.pk}))


def test_the_step1_code_links_the_browser_once(salon_a, client):
    issued = issue(salon_a)
    assert issued.url_code and issued.url_code != issued.code
    response = client.post(link_url(salon_a), {"code": issued.url_code}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and "karte_device" in response.cookies
    again = client.post(link_url(salon_a), {"code": issued.url_code}, HTTP_ACCEPT="application/json")
    assert again.status_code == 409 and "すでに使われています" in again.json()["error"]
    # The Step 2 code of the pair still links a second phone (the home-screen app that started unlinked).
    other = client.__class__()
    assert other.post(link_url(salon_a), {"code": issued.code}).status_code == 302
    with scope(salon=salon_a.salon):
        assert Device.objects.filter(customer=salon_a.customer).count() == 2


def test_the_step1_code_expires_with_its_pair(salon_a, client):
    issued = issue(salon_a)
    with scope(salon=salon_a.salon):
        pair = LinkCode.objects.filter(batch=issued.link_code.batch)
        assert pair.count() == 2 and len(set(pair.values_list("expires_at", flat=True))) == 1
        # Ten minutes and a second later, as the database's clock sees it.
        late = datetime.timedelta(minutes=10, seconds=1)
        pair.update(created_at=F("created_at") - late, expires_at=F("expires_at") - late)
    response = client.post(link_url(salon_a), {"code": issued.url_code}, HTTP_ACCEPT="application/json")
    assert response.status_code == 410
    assert "有効期限が切れています" in response.json()["error"]


def test_a_new_pair_replaces_both_codes(salon_a, client):
    first = issue(salon_a)
    issue(salon_a)
    response = client.post(link_url(salon_a), {"code": first.url_code}, HTTP_ACCEPT="application/json")
    assert response.status_code >= 400


def test_the_step1_qr_carries_the_code_after_the_hash_only(salon_a):
    body = codes_panel(salon_a).content.decode()
    # The address printed under the QR code has no code; the code is inside the QR code only.
    printed = re.search(r'<p class="qr-url">([^<]*)</p>', body)
    assert (
        printed and "#" not in printed.group(1) and printed.group(1).endswith(f"/s/{salon_a.salon.slug}/app/")
    )


def test_staff_see_linked_whichever_code_was_used(salon_a, client):
    staff = salon_a.client()
    staff.post(reverse("staff:link_code_create", kwargs={"pk": salon_a.customer.pk}))
    issued = issue(salon_a)  # the same pair, known to the test in the clear
    with scope(salon=salon_a.salon):
        step2 = LinkCode.objects.get(pk=issued.link_code.pk)
    status_url = reverse("staff:link_code_status", kwargs={"pk": salon_a.customer.pk, "code_pk": step2.pk})
    assert staff.get(status_url).status_code == 204
    client.post(
        link_url(salon_a),
        {"code": issued.url_code},
        HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Safari/604.1",
    )
    after_step1 = staff.get(status_url)
    body = after_step1.content.decode()
    assert "連携済み" in body and "iPhone" in body
    # Step 2 stays on screen (the panel is not swapped; only its Step 1 line is).
    assert after_step1["HX-Reswap"] == "none" and 'hx-swap-oob="true"' in body
    # Once Step 2 links the home-screen app too, the panel is done.
    client.__class__().post(link_url(salon_a), {"code": issued.code})
    done = staff.get(status_url)
    assert "HX-Reswap" not in done and 'class="link-codes link-codes--done"' in done.content.decode()


def test_only_the_hash_of_the_step1_code_is_kept(salon_a):
    from django.db import connection

    issued = issue(salon_a)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM linking_linkcode")
        dump = repr(cursor.fetchall())
    assert issued.url_code not in dump
