"""A notice is pushed once to each phone of its audience that takes push, when it becomes visible,
never in quiet hours, and only of the kinds the owner allows; another salon's or another customer's
phone gets nothing. Sent through a push service of the test's own (tests/push_service.py)."""

import datetime
import json
import zoneinfo

import time_machine
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from linking.models import Device
from linking.services import device_revoke
from notices.models import NoticeSource
from notices.services import notice_create
from push.models import DeliveryStatus, PushDelivery, PushKind, PushPreference, PushSubscription
from push.services import (
    notice_push_plan,
    notices_push_plan,
    notices_to_push,
    push_kind,
    push_subscription_save,
    pushes_send_due,
)

from .factories import make_customer, make_notice
from .linking_helpers import linked_phone

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
NOON = datetime.datetime(2026, 12, 8, 12, 0, tzinfo=TOKYO)


def _takes_push(world, service, customer, name):
    linked_phone(world, customer)
    with scope(salon=world.salon):
        device = Device.objects.filter(customer=customer, revoked_at__isnull=True).latest("linked_at")
        return push_subscription_save(device=device, **service.subscribe(name))


def _plan(world, notice, now):
    with scope(salon=world.salon):
        return notice_push_plan(notice=notice, now=now)


def _send(now):
    with scopes_disabled():
        return pushes_send_due(now=now)


def _titles(service):
    return sorted((d.name, json.loads(d.payload)["title"]) for d in service.delivered)


def test_a_notice_to_everyone_reaches_each_phone_that_takes_push_once(salon_a, salon_b, push_service):
    with time_machine.travel(NOON, tick=False):
        _takes_push(salon_a, push_service, salon_a.customer, "a1")
        _takes_push(salon_a, push_service, salon_a.other_customer, "a2")
        linked_phone(salon_a, make_customer(salon_a, "押さない 人"))  # linked, push left off
        _takes_push(salon_b, push_service, salon_b.customer, "b1")
        notice = make_notice(salon_a, title="年末年始の営業")
        assert _plan(salon_a, notice, timezone.now()) == 2
        assert _plan(salon_a, notice, timezone.now()) == 0  # planned once, however often asked
        assert _send(timezone.now())["sent"] == 2
        assert _send(timezone.now())["sent"] == 0
    assert _titles(push_service) == [("a1", "年末年始の営業"), ("a2", "年末年始の営業")]
    payload = json.loads(push_service.delivered[0].payload)
    assert payload == {
        "salon": salon_a.salon.name,
        "title": "年末年始の営業",
        "url": f"/s/{salon_a.salon.slug}/app/notices/{notice.pk}/",
    }


def test_a_notice_to_one_customer_reaches_only_their_phone(salon_a, push_service):
    with time_machine.travel(NOON, tick=False):
        _takes_push(salon_a, push_service, salon_a.customer, "mine")
        _takes_push(salon_a, push_service, salon_a.other_customer, "theirs")
        notice = make_notice(salon_a, customer=salon_a.customer, title="森川様へ")
        assert _plan(salon_a, notice, timezone.now()) == 1
        _send(timezone.now())
    assert _titles(push_service) == [("mine", "森川様へ")]


def test_a_notice_shown_from_tomorrow_is_pushed_tomorrow(salon_a, push_service):
    with time_machine.travel(NOON, tick=False):
        _takes_push(salon_a, push_service, salon_a.customer, "phone")
        tomorrow = timezone.now() + datetime.timedelta(days=1)
        notice = make_notice(salon_a, starts_at=tomorrow, ends_at=tomorrow + datetime.timedelta(days=7))
        with scopes_disabled():
            assert (salon_a.salon.pk, notice.pk) not in notices_to_push(now=timezone.now())
        assert _plan(salon_a, notice, timezone.now()) == 0
    with time_machine.travel(NOON + datetime.timedelta(days=1, minutes=1), tick=False):
        with scopes_disabled():
            assert (salon_a.salon.pk, notice.pk) in notices_to_push(now=timezone.now())
        assert _plan(salon_a, notice, timezone.now()) == 1
        with scopes_disabled():
            assert (salon_a.salon.pk, notice.pk) not in notices_to_push(now=timezone.now())


def test_nothing_is_pushed_in_quiet_hours_it_waits_until_nine(salon_a, push_service):
    late = datetime.datetime(2026, 12, 8, 22, 30, tzinfo=TOKYO)
    with time_machine.travel(late, tick=False):
        _takes_push(salon_a, push_service, salon_a.customer, "phone")
        notice = make_notice(salon_a, title="夜のお知らせ")
        assert _plan(salon_a, notice, timezone.now()) == 1
        assert _send(timezone.now())["sent"] == 0
    with scopes_disabled():
        assert PushDelivery.objects.get().due_at == datetime.datetime(2026, 12, 9, 9, 0, tzinfo=TOKYO)
    assert _send(datetime.datetime(2026, 12, 9, 8, 59, tzinfo=TOKYO))["sent"] == 0
    assert _send(datetime.datetime(2026, 12, 9, 9, 0, tzinfo=TOKYO))["sent"] == 1
    assert _titles(push_service) == [("phone", "夜のお知らせ")]


def test_a_kind_the_owner_keeps_from_push_is_not_pushed(salon_a, push_service):
    with time_machine.travel(NOON, tick=False):
        _takes_push(salon_a, push_service, salon_a.customer, "phone")
        with scope(salon=salon_a.salon):
            PushPreference.objects.create(salon=salon_a.salon, kind=PushKind.EVERYONE, enabled=False)
            followup = notice_create(
                salon=salon_a.salon, actor=None, title="ご来店ありがとうございました", body="…",
                starts_at=timezone.now(), ends_at=timezone.now() + datetime.timedelta(days=3),
                customer=salon_a.customer, source=NoticeSource.FOLLOWUP,
            )  # fmt: skip
            assert push_kind(followup) == PushKind.FOLLOWUP
        assert _plan(salon_a, make_notice(salon_a, title="全体"), timezone.now()) == 0
        assert _plan(salon_a, followup, timezone.now()) == 1


def test_a_gone_phone_is_forgotten_and_a_busy_service_is_asked_again_later(salon_a, push_service):
    with time_machine.travel(NOON, tick=False):
        _takes_push(salon_a, push_service, salon_a.customer, "gone")
        _takes_push(salon_a, push_service, salon_a.other_customer, "busy")
        push_service.answers = {"gone": [(410, {})], "busy": [(429, {"Retry-After": "300"})]}
        notice = make_notice(salon_a, title="お知らせ")
        _plan(salon_a, notice, timezone.now())
        assert _send(timezone.now()) == {"sent": 0, "gone": 1, "later": 1, "failed": 0}
        with scope(salon=salon_a.salon):
            assert list(PushSubscription.objects.values_list("device__customer", flat=True)) == [
                salon_a.other_customer.pk
            ]
            busy = PushDelivery.objects.get(status=DeliveryStatus.QUEUED)
            assert busy.due_at == timezone.now() + datetime.timedelta(seconds=300) and busy.attempts == 1
    with time_machine.travel(NOON + datetime.timedelta(seconds=300), tick=False):
        assert _send(timezone.now())["sent"] == 1
    assert _titles(push_service) == [("busy", "お知らせ")]


def test_a_phone_unlinked_after_the_notice_was_planned_gets_nothing(salon_a, push_service):
    with time_machine.travel(NOON, tick=False):
        subscription = _takes_push(salon_a, push_service, salon_a.customer, "phone")
        notice = make_notice(salon_a)
        assert _plan(salon_a, notice, timezone.now()) == 1
        with scope(salon=salon_a.salon):
            device_revoke(device=subscription.device)
        assert _send(timezone.now())["gone"] == 1
    assert push_service.delivered == []


def test_a_notice_posted_by_staff_is_pushed_as_soon_as_it_is_saved(
    salon_a, push_service, django_capture_on_commit_callbacks
):
    """Staff post from the notice form; the task queue (run in place here) plans and sends at once."""
    from django.urls import reverse

    with time_machine.travel(NOON, tick=False):
        _takes_push(salon_a, push_service, salon_a.customer, "phone")
        now = timezone.localtime()
        form = {
            "title": "臨時休業のお知らせ",
            "body": "明日は臨時休業です。",
            "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (now + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        }
        with django_capture_on_commit_callbacks(execute=True):
            response = salon_a.client().post(reverse("staff:notice_create"), form)
        assert response.status_code == 302, response.content.decode()[:500]
    assert _titles(push_service) == [("phone", "臨時休業のお知らせ")]


def test_an_appointment_reminder_is_pushed_to_the_customers_phone(salon_a, push_service):
    from appointments.reminders import reminders_send
    from appointments.services import appointment_book
    from notices.models import Notice

    salon_a.salon.reminder_time = datetime.time(18, 0)
    salon_a.salon.save()
    evening = datetime.datetime(2026, 12, 9, 18, 5, tzinfo=TOKYO)
    with time_machine.travel(evening, tick=False):
        _takes_push(salon_a, push_service, salon_a.customer, "mine")
        _takes_push(salon_a, push_service, salon_a.other_customer, "someone-else")
        with scope(salon=salon_a.salon):
            appointment_book(
                salon=salon_a.salon, actor=None, customer=salon_a.customer, staff=salon_a.stylist,
                starts_at=datetime.datetime(2026, 12, 10, 11, 0, tzinfo=TOKYO),
            )  # fmt: skip
            assert reminders_send(salon=salon_a.salon, now=evening) == 1
            reminder = Notice.objects.get(source=NoticeSource.REMINDER)
        _plan(salon_a, reminder, evening)  # what notice_posted asks of the queue once committed
        _send(evening)
    assert _titles(push_service) == [("mine", "明日のご予約")]


def test_a_batch_of_one_to_one_notices_is_planned_in_the_same_queries_for_2_or_12(salon_a, push_service):
    """A tick's follow-ups or reminders are planned together: each customer's phone gets its own
    notice, a customer with two notices gets both, and the queries do not grow with the batch."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with time_machine.travel(NOON, tick=False):
        counts = []
        for count in (2, 12):
            customers = [make_customer(salon_a, f"客 {count}-{n}") for n in range(count)]
            for n, customer in enumerate(customers):
                _takes_push(salon_a, push_service, customer, f"p{count}-{n}")
            notices = [
                make_notice(salon_a, customer=customer, title=f"n{customer.pk}") for customer in customers
            ]
            notices.append(make_notice(salon_a, customer=customers[0], title="second"))
            with scope(salon=salon_a.salon), CaptureQueriesContext(connection) as queries:
                assert (
                    notices_push_plan(salon=salon_a.salon, notices=notices, now=timezone.now()) == count + 1
                )
            counts.append(len(queries))
            with scope(salon=salon_a.salon):
                assert notices_push_plan(salon=salon_a.salon, notices=notices, now=timezone.now()) == 0
        assert counts[0] == counts[1] <= 8, counts
        with scopes_disabled():
            reach = set(PushDelivery.objects.values_list("notice__title", "device__customer_id"))
        assert ("second", customers[0].pk) in reach
        assert all((f"n{customer.pk}", customer.pk) in reach for customer in customers)
        assert len(reach) == 2 + 1 + 12 + 1
