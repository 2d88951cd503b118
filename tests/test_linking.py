"""Link codes: single use, ten minutes, one salon, hashed at rest, rate limited, and refused
when the salon has no customer-app option."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from audit.models import AuditEntry
from linking import actions as linking_actions
from linking.models import Device, LinkCode
from linking.services import LinkError, link_code_redeem

from .linking_helpers import app_url, issue, link_url, linked_phone
from .racing import postgres_only, race


def test_a_code_links_a_phone_once(salon_a, client):
    issued = issue(salon_a)
    first = client.post(
        link_url(salon_a), {"code": issued.code}, HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Safari/604.1"
    )
    assert first.status_code == 302
    cookie = first.cookies["karte_device"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["path"] == "/s/salon-a/app/"
    second = client.post(link_url(salon_a), {"code": issued.code}, HTTP_ACCEPT="application/json")
    assert second.status_code == 409
    assert "すでに使われています" in second.json()["error"]
    with scope(salon=salon_a.salon):
        device = Device.objects.get()
        assert device.customer == salon_a.customer and device.label == "iPhone / Safari"
        assert AuditEntry.objects.filter(action=linking_actions.DEVICE_LINK).exists()
        assert AuditEntry.objects.filter(action=linking_actions.LINK_CODE_ISSUE).exists()


def test_a_get_never_uses_up_a_code(salon_a, client):
    issued = issue(salon_a)
    assert client.get(link_url(salon_a), {"code": issued.code}).status_code == 405
    assert client.post(link_url(salon_a), {"code": issued.code}).status_code == 302


def _age(issued, **elapsed):
    """Let time pass for the code as the database sees it (expiry is judged by the database's clock)."""
    delta = datetime.timedelta(**elapsed)
    LinkCode.objects.with_scopes_disabled().filter(pk=issued.link_code.pk).update(
        created_at=F("created_at") - delta, expires_at=F("expires_at") - delta
    )


def test_a_code_expires_after_ten_minutes(salon_a, client):
    issued = issue(salon_a)
    assert issued.link_code.expires_at - issued.link_code.created_at == datetime.timedelta(minutes=10)
    _age(issued, minutes=10, seconds=1)
    response = client.post(link_url(salon_a), {"code": issued.code}, HTTP_ACCEPT="application/json")
    assert response.status_code == 410
    assert "有効期限が切れています" in response.json()["error"]


def test_a_code_still_works_just_before_it_expires(salon_a, client):
    issued = issue(salon_a)
    _age(issued, minutes=9, seconds=50)
    assert client.post(link_url(salon_a), {"code": issued.code}).status_code == 302


@pytest.mark.parametrize("skew", [-30, 30])
def test_codes_made_on_an_app_server_with_a_wrong_clock_last_ten_minutes_all_the_same(salon_a, client, skew):
    # The code is made on a server whose clock is half an hour off and used on one that is right:
    # the database's clock decides both.
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=skew), tick=True):
        issued = issue(salon_a)
        other = issue(salon_a, customer=salon_a.other_customer)
    assert client.post(link_url(salon_a), {"code": issued.code}).status_code == 302
    _age(other, minutes=10, seconds=1)
    response = client.post(link_url(salon_a), {"code": other.code}, HTTP_ACCEPT="application/json")
    assert response.status_code == 410


def test_a_new_code_replaces_the_unused_one(salon_a, client):
    old = issue(salon_a)
    new = issue(salon_a)
    response = client.post(link_url(salon_a), {"code": old.code}, HTTP_ACCEPT="application/json")
    assert response.status_code == 409
    assert client.post(link_url(salon_a), {"code": new.code}).status_code == 302


def test_the_numeric_code_links_too(salon_a, client):
    issued = issue(salon_a)
    typed = f"{issued.numeric[:4]} {issued.numeric[4:]}".translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    assert client.post(link_url(salon_a), {"numeric": typed}).status_code == 302


def test_a_code_of_another_salon_is_refused_with_a_reason(salon_a, salon_b, client):
    issued = issue(salon_b)
    response = client.post(link_url(salon_a), {"code": issued.code}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert "別のサロン" in response.json()["error"]
    with scopes_disabled():
        assert not Device.objects.exists()
        assert not LinkCode.objects.filter(used_at__isnull=False).exists()


def test_a_numeric_code_only_works_in_its_own_salon(salon_a, salon_b, client):
    issued = issue(salon_b)
    response = client.post(link_url(salon_a), {"numeric": issued.numeric}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400


def test_nothing_works_without_the_option(salon_a, client):
    issued = issue(salon_a)
    salon_a.salon.customer_app_enabled = False
    salon_a.salon.save()
    response = client.post(link_url(salon_a), {"code": issued.code})
    assert response.status_code == 403
    assert "ご利用いただけません" in response.content.decode()
    assert client.get(app_url(salon_a)).status_code == 403
    staff = salon_a.client()
    create = staff.post(reverse("staff:link_code_create", kwargs={"pk": salon_a.customer.pk}))
    assert create.status_code == 403
    page = staff.get(reverse("staff:customer_detail", kwargs={"pk": salon_a.customer.pk})).content.decode()
    assert "この機能はオプション契約が必要です" in page


def test_without_the_option_staff_see_what_needs_it_and_post_nothing_to_no_one(salon_a, client):
    from notices.models import Notice

    salon_a.salon.customer_app_enabled = False
    salon_a.salon.save()
    staff = salon_a.client()
    notices = staff.get(reverse("staff:notice_list")).content.decode()
    assert "【重要】この機能はオプション契約が必要です" in notices
    assert reverse("staff:notice_create") not in notices  # no button to post to 「0 人」
    assert "オプション" in notices  # the menu marks it too
    for url in (
        reverse("staff:notice_create"),
        reverse("staff:customer_notice_create", kwargs={"pk": salon_a.customer.pk}),
    ):
        assert staff.get(url).status_code == 403
        refused = staff.post(
            url,
            {
                "title": "届かない",
                "body": "本文",
                "starts_at": "2026-11-01T09:00",
                "ends_at": "2026-12-01T09:00",
            },
        )
        assert refused.status_code == 403 and "オプション契約が必要です" in refused.content.decode()
    with scope(salon=salon_a.salon):
        assert not Notice.objects.exists()
    editor = staff.get(
        reverse("staff:karte_create", kwargs={"customer_pk": salon_a.customer.pk})
    ).content.decode()
    assert "公開にしても、どなたにも表示されません" in editor
    detail = staff.get(reverse("staff:customer_detail", kwargs={"pk": salon_a.customer.pk})).content.decode()
    assert "オプションを契約するまで、公開の項目はどなたにも表示されません。" in detail
    preview = staff.get(
        reverse("staff:customer_preview", kwargs={"pk": salon_a.customer.pk})
    ).content.decode()
    assert "オプション契約が必要です" in preview
    # The phone's own page: no icon or manifest that would not load, the salon's initial instead.
    phone = client.get(app_url(salon_a)).content.decode()
    assert 'class="app-bar__initial"' in phone and "icons/" not in phone and "manifest" not in phone


def test_only_hashes_are_stored(salon_a, client):
    issued = issue(salon_a)
    response = client.post(link_url(salon_a), {"code": issued.code})
    credential = response.cookies["karte_device"].value
    assert len(credential) >= 43  # 256 bits, URL-safe base64
    with connection.cursor() as cursor:
        dumps = []
        for table in ("linking_linkcode", "linking_device", "audit_auditentry"):
            cursor.execute(f"SELECT * FROM {table}")
            dumps.append(repr(cursor.fetchall()))
    everything = "".join(dumps)
    assert issued.code not in everything
    assert issued.numeric not in everything
    assert credential not in everything


def test_the_code_carries_nothing_but_randomness(salon_a):
    issued = issue(salon_a)
    assert not issued.code.startswith("http")
    assert len(issued.code) >= 26  # at least 128 bits in base32
    for secret in (salon_a.customer.name, str(salon_a.customer.pk), salon_a.salon.slug):
        assert secret not in issued.code


def test_guessing_numeric_codes_is_stopped_with_429(salon_a, client):
    issue(salon_a)
    statuses = [
        client.post(link_url(salon_a), {"numeric": f"{n:08d}"}, HTTP_ACCEPT="application/json").status_code
        for n in range(12)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10:] == [429, 429]
    limited = client.post(link_url(salon_a), {"numeric": "00000000"}, HTTP_ACCEPT="application/json")
    assert 0 < int(limited["Retry-After"]) <= 600
    assert "試行回数が多すぎます" in limited.json()["error"]


def _guess(world, address, number):
    from django.test import Client

    phone = Client(REMOTE_ADDR=address)
    return phone.post(link_url(world), {"numeric": number}, HTTP_ACCEPT="application/json").status_code


def test_strangers_guessing_from_many_addresses_cannot_switch_off_numeric_linking(salon_a):
    issued = issue(salon_a)
    wrong = [f"{n:08d}" for n in range(110) if f"{n:08d}" != issued.numeric]
    statuses = [_guess(salon_a, f"192.0.2.{n // 10}", number) for n, number in enumerate(wrong[:110])]
    assert statuses.count(429) == 0  # 11 addresses × 10 wrong numbers: each within its own limit
    assert _guess(salon_a, "198.51.100.7", issued.numeric) == 200  # linked (JSON answer)


def test_the_salon_ceiling_trips_where_the_odds_say_it_should(salon_a, client):
    from linking.services import numeric_attempt_ceiling, numeric_linking_paused

    from .factories import make_customer

    # 100 live codes: 10^8 / (10,000 × 100) = 100 numeric tries per code lifetime for the salon.
    codes = [issue(salon_a, customer=make_customer(salon_a, f"客{n}")) for n in range(100)]
    live = {code.numeric for code in codes}
    with scope(salon=salon_a.salon):
        assert numeric_attempt_ceiling() == 100
        assert not numeric_linking_paused(salon=salon_a.salon)
    wrong = (f"{n:08d}" for n in range(1000) if f"{n:08d}" not in live)
    statuses = [_guess(salon_a, f"203.0.113.{n // 10}", next(wrong)) for n in range(100)]
    assert statuses.count(429) == 0
    assert _guess(salon_a, "198.51.100.8", codes[0].numeric) == 429  # the 101st, even the right number
    with scope(salon=salon_a.salon):
        assert numeric_linking_paused(salon=salon_a.salon)
    # The QR code path keeps working, and staff see the pause next to the number.
    assert client.post(link_url(salon_a), {"code": codes[1].code}).status_code == 302
    panel = salon_a.client().post(reverse("staff:link_code_create", kwargs={"pk": salon_a.customer.pk}))
    assert "番号の入力による連携を数分間停止しています" in panel.content.decode()


def test_a_salon_can_cap_phones_per_customer(salon_a, client):
    salon_a.salon.max_devices_per_customer = 1
    salon_a.salon.save()
    linked_phone(salon_a)
    response = client.post(link_url(salon_a), {"code": issue(salon_a).code}, HTTP_ACCEPT="application/json")
    assert response.status_code == 409
    assert "上限" in response.json()["error"]


def test_staff_see_the_code_used_and_the_phone_listed(salon_a):
    staff = salon_a.client()
    created = staff.post(reverse("staff:link_code_create", kwargs={"pk": salon_a.customer.pk}))
    body = created.content.decode()
    assert "Step 1" in body and "Step 2" in body and "<svg" in body
    with scope(salon=salon_a.salon):
        code = LinkCode.objects.get(via_url=False)
    status_url = reverse("staff:link_code_status", kwargs={"pk": salon_a.customer.pk, "code_pk": code.pk})
    assert staff.get(status_url).status_code == 204
    linked_phone(salon_a)  # issues its own code, which replaces the one on screen
    assert "新しいQRコードが生成されたため" in staff.get(status_url).content.decode()


def test_staff_see_linked_with_the_device_and_time(salon_a, client):
    issued = issue(salon_a)
    client.post(
        link_url(salon_a), {"code": issued.code}, HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14) Chrome/130"
    )
    status_url = reverse(
        "staff:link_code_status", kwargs={"pk": salon_a.customer.pk, "code_pk": issued.link_code.pk}
    )
    body = salon_a.client().get(status_url).content.decode()
    assert "連携済み" in body and "Android / Chrome" in body


@pytest.mark.django_db(transaction=True)
@postgres_only
def test_of_twenty_simultaneous_redemptions_exactly_one_wins(salon_a):
    issued = issue(salon_a)

    def attempt():
        with scope(salon=salon_a.salon):
            try:
                link_code_redeem(salon=salon_a.salon, code=issued.code)
            except LinkError as error:
                return error.reason
            return "linked"

    outcomes, errors = race(attempt, 20)
    assert errors == []
    assert sorted(outcomes) == ["linked"] + ["used"] * 19
    with scope(salon=salon_a.salon):
        assert Device.objects.count() == 1
