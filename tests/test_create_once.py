"""Every create is idempotent: a double tap, a resend or a retry after a lost reply makes one object."""

import uuid

import pytest
from django.urls import reverse
from django_scopes import scope

from audit.models import AuditEntry
from customers import actions as customers_actions
from customers.models import Customer
from notices import actions as notices_actions
from notices.models import Notice
from salons.models import StaffMember

from .racing import postgres_only, race
from .test_notices import notice_form


def _twice(client, url, data):
    return [client.post(url, data).status_code for _ in range(2)]


def test_a_customer_form_sent_twice_adds_one_customer(salon_a):
    data = {"name": "二度 押子", "kana": "にど おしこ", "client_key": str(uuid.uuid4())}
    assert _twice(salon_a.client(), reverse("staff:customer_create"), data) == [302, 302]
    with scope(salon=salon_a.salon):
        assert Customer.objects.filter(name="二度 押子").count() == 1
        assert AuditEntry.objects.filter(action=customers_actions.CUSTOMER_CREATE).count() == 1


def test_the_customer_form_carries_a_fresh_key_each_time_it_is_shown(salon_a):
    client = salon_a.client()
    pages = [client.get(reverse("staff:customer_create")).context["form"] for _ in range(2)]
    keys = {form.initial["client_key"] for form in pages}
    assert len(keys) == 2
    assert 'name="client_key"' in client.get(reverse("staff:customer_create")).content.decode()


@pytest.mark.parametrize("broadcast", [True, False])
def test_a_notice_sent_twice_is_posted_once(salon_a, broadcast):
    client = salon_a.client()
    data = notice_form(title="一度だけ", client_key=str(uuid.uuid4()))
    url = (
        reverse("staff:notice_create")
        if broadcast
        else reverse("staff:customer_notice_create", kwargs={"pk": salon_a.customer.pk})
    )
    assert _twice(client, url, data) == [302, 302]
    with scope(salon=salon_a.salon):
        assert Notice.objects.filter(title="一度だけ").count() == 1


def test_two_different_notices_with_the_same_words_are_two(salon_a):
    client = salon_a.client()
    for _ in range(2):
        form = notice_form(title="同じ文面", client_key=str(uuid.uuid4()))
        client.post(reverse("staff:notice_create"), form)
    with scope(salon=salon_a.salon):
        assert Notice.objects.filter(title="同じ文面").count() == 2


def test_a_staff_form_sent_twice_adds_one_login_and_says_it_worked(salon_a):
    data = {
        "display_name": "新人",
        "username": "shinjin",
        "password": "a-long-pass-123",
        "role": "stylist",
        "client_key": str(uuid.uuid4()),
    }
    client = salon_a.client()
    assert _twice(client, reverse("staff:staff_create"), data) == [302, 302]
    with scope(salon=salon_a.salon):
        assert StaffMember.objects.filter(display_name="新人").count() == 1


def test_a_withdrawal_sent_twice_is_recorded_once(salon_a):
    from .factories import make_notice

    notice = make_notice(salon_a)
    client = salon_a.client()
    url = reverse("staff:notice_withdraw", kwargs={"pk": notice.pk})
    assert _twice(client, url, {}) == [302, 302]
    with scope(salon=salon_a.salon):
        assert AuditEntry.objects.filter(action=notices_actions.NOTICE_WITHDRAW).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_racing_resends_of_one_customer_form_make_one_customer(salon_a):
    from customers.services import customer_create

    key = uuid.uuid4()

    def send():
        with scope(salon=salon_a.salon):
            return customer_create(
                salon=salon_a.salon,
                actor=salon_a.owner.user,
                data={"name": "競争 太郎", "kana": "きょうそう たろう"},
                client_key=key,
            ).pk

    results, errors = race(send, 8)
    assert errors == []
    assert len(set(results)) == 1
    with scope(salon=salon_a.salon):
        assert Customer.objects.filter(client_key=key).count() == 1
