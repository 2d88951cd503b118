"""Automatic follow-ups: planned when a visit is saved or a birthday nears, sent by the task queue as
a one-to-one notice exactly once, never to archived or unlinked customers; staff see and cancel them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from audit.models import AuditEntry
from customers.models import Customer
from customers.services import customer_update
from followups import actions as followups_actions
from followups.models import FollowUp, FollowUpKind, FollowUpRule, FollowUpStatus
from followups.services import followup_rules, followups_plan_birthdays, followups_send_due, usual_interval
from followups.tasks import followups_send
from kartes.services import karte_create
from linking.models import Device
from notices.models import Notice

from .factories import make_customer, make_karte
from .linking_helpers import app_url, linked_phone

TODAY = timezone.localdate()


def switch_on(world, *kinds, **delays):
    with scope(salon=world.salon):
        for kind, rule in followup_rules(salon=world.salon).items():
            if kind in kinds:
                rule.enabled = True
                rule.delay = delays.get(kind, rule.delay)
                rule.save()


def visit(world, day=TODAY, customer=None, weeks=None):
    with scope(salon=world.salon):
        return karte_create(
            salon=world.salon, actor=world.owner.user, customer=customer or world.customer,
            treatment_date=day, staff=world.stylist, menu="カット", items=[], next_visit_weeks=weeks,
        )  # fmt: skip


def send(at):
    with scopes_disabled():
        return followups_send_due(now=at)


def planned(world, kind):
    with scope(salon=world.salon):
        return list(FollowUp.objects.filter(customer=world.customer, kind=kind).order_by("pk"))


def test_a_thank_you_goes_hours_after_the_visit_once(salon_a):
    switch_on(salon_a, "thanks", thanks=3)
    linked_phone(salon_a)
    karte = visit(salon_a)
    (thanks,) = planned(salon_a, "thanks")
    assert thanks.due_at == karte.created_at + datetime.timedelta(hours=3)
    assert send(karte.created_at + datetime.timedelta(hours=2)) == {}  # not yet
    assert send(thanks.due_at) == {"sent": 1}
    assert send(thanks.due_at + datetime.timedelta(minutes=1)) == {}  # the next run finds nothing
    with scope(salon=salon_a.salon):
        notice = Notice.objects.get(customer=salon_a.customer)
    assert notice.title == "ご来店ありがとうございました"
    assert notice.body.startswith("森川 紗季様、このたびはサロンAにご来店いただきありがとうございました。")


def test_the_phone_shows_it_as_a_new_notice(salon_a):
    switch_on(salon_a, "thanks", thanks=0)
    phone = linked_phone(salon_a)
    visit(salon_a)
    send(timezone.now() + datetime.timedelta(seconds=1))
    page = phone.get(app_url(salon_a, "notices")).content.decode()
    assert "ご来店ありがとうございました" in page and "New" in page


def test_a_worker_that_retries_sends_it_once(salon_a, monkeypatch):
    """The worker dies after making the notice but before the commit; the retry sends it once."""
    from followups import services

    switch_on(salon_a, "thanks", thanks=0)
    linked_phone(salon_a)
    visit(salon_a)
    real = services.notices_create_many  # type: ignore[attr-defined]

    def dies_after_notice(**kwargs):
        real(**kwargs)
        raise ConnectionError("the worker lost its database")

    monkeypatch.setattr(services, "notices_create_many", dies_after_notice)
    with pytest.raises(ConnectionError):
        send(timezone.now() + datetime.timedelta(seconds=1))
    monkeypatch.undo()
    with scopes_disabled():
        assert not Notice.objects.exists()  # rolled back with the row it would have marked
    followups_send.call_local()  # the periodic task, as the worker runs it
    followups_send.call_local()
    with scopes_disabled():
        assert Notice.objects.count() == 1


def _due_thanks(world, count):
    """`count` customers, each with a linked phone and a thank-you due now."""
    with scope(salon=world.salon):
        for number in range(count):
            customer = make_customer(world, f"客 {number}")
            Device.objects.create(
                salon=world.salon, customer=customer, credential_hash=f"{customer.pk:064d}", label="iPhone"
            )
            FollowUp.objects.create(
                salon=world.salon,
                customer=customer,
                kind="thanks",
                base_at=timezone.now(),
                due_at=timezone.now(),
                key=f"thanks:test:{customer.pk}",
            )


def test_a_tick_costs_the_same_queries_for_3_messages_or_30(salon_a):
    """The messages are sent in batches: a constant number of queries, not about ten per message."""
    switch_on(salon_a, "thanks", thanks=0)
    counts = []
    for count in (3, 30):
        _due_thanks(salon_a, count)
        with CaptureQueriesContext(connection) as queries:
            assert send(timezone.now() + datetime.timedelta(seconds=1)) == {"sent": count}
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 9, counts  # ≤ 3 per message even for 3 messages
    with scopes_disabled():
        assert Notice.objects.filter(source="followup").count() == 33
        assert AuditEntry.objects.filter(action="notice.create").count() == 33
        assert not FollowUp.objects.filter(status="scheduled").exists()


def test_nothing_goes_to_unlinked_or_archived_customers_or_when_switched_off(salon_a):
    switch_on(salon_a, "thanks", thanks=0)
    visit(salon_a)  # no linked phone
    visit(salon_a, customer=salon_a.other_customer)
    linked_phone(salon_a, salon_a.other_customer)
    with scope(salon=salon_a.salon):
        Customer.objects.filter(pk=salon_a.other_customer.pk).update(archived_at=timezone.now())
    assert send(timezone.now() + datetime.timedelta(seconds=1)) == {"not linked": 1, "archived": 1}
    with scopes_disabled():
        assert not Notice.objects.exists()
    # Switched off: a waiting message is not sent.
    linked_phone(salon_a)
    visit(salon_a, day=TODAY - datetime.timedelta(days=1))
    with scope(salon=salon_a.salon):
        FollowUpRule.objects.filter(kind="thanks").update(enabled=False)
    assert send(timezone.now() + datetime.timedelta(seconds=1)) == {"off": 1}


def test_the_next_visit_follows_the_stylists_weeks_or_the_usual_interval(salon_a):
    switch_on(salon_a, "next_visit")
    for days_ago in (120, 90, 60):
        visit(salon_a, day=TODAY - datetime.timedelta(days=days_ago))
    with scope(salon=salon_a.salon):
        assert usual_interval(customer=salon_a.customer) == datetime.timedelta(days=30)
    waiting = [f for f in planned(salon_a, "next_visit") if f.status == "scheduled"]
    assert len(waiting) == 1  # each visit replaced the nudge of the one before
    assert timezone.localtime(waiting[0].due_at).date() == TODAY - datetime.timedelta(days=30)
    latest = visit(salon_a, day=TODAY, weeks=6)
    (waiting,) = [f for f in planned(salon_a, "next_visit") if f.status == "scheduled"]
    assert waiting.key == f"next_visit:karte:{latest.pk}"
    assert timezone.localtime(waiting.due_at).date() == TODAY + datetime.timedelta(weeks=6)
    assert timezone.localtime(waiting.due_at).hour == 10


def test_a_lapsed_customer_hears_from_the_salon_once_and_a_visit_calls_it_off(salon_a):
    switch_on(salon_a, "lapsed", lapsed=60)
    linked_phone(salon_a)
    old = visit(salon_a, day=TODAY - datetime.timedelta(days=61))
    (lapsed,) = planned(salon_a, "lapsed")
    assert lapsed.key == f"lapsed:karte:{old.pk}"
    visit(salon_a, day=TODAY)
    lapsed.refresh_from_db()
    assert (lapsed.status, lapsed.reason) == ("cancelled", "new visit")
    assert send(timezone.now()) == {}


def test_birthdays_of_the_coming_week_are_planned_once(salon_a):
    switch_on(salon_a, "birthday")
    birthday = TODAY + datetime.timedelta(days=3)
    with scope(salon=salon_a.salon):
        customer_update(customer=salon_a.customer, actor=None, data={"birthday": birthday.replace(year=1990)})
        assert followups_plan_birthdays(salon=salon_a.salon, today=TODAY) == 1
        assert followups_plan_birthdays(salon=salon_a.salon, today=TODAY) == 0
    (followup,) = planned(salon_a, "birthday")
    assert (
        followup.key == f"birthday:{birthday.year}" and timezone.localtime(followup.due_at).date() == birthday
    )


def test_the_weeks_birthdays_are_read_at_once_however_many_customers(salon_a):
    """Two reads for the week's birthdays and those already planned, then one write: not a scan of
    the salon's customers per day. 29 February is celebrated on the 28th in other years."""
    switch_on(salon_a, "birthday")
    today = datetime.date(2027, 2, 25)  # 2027 has no 29 February

    def add(count, born):
        with scope(salon=salon_a.salon):
            for n in range(count):
                customer = Customer(salon=salon_a.salon, name=f"誕生 {n}", kana="たんじょう", birthday=born)
                customer.refresh_search_fields()
                customer.save()

    add(2, datetime.date(1990, 2, 27))
    with scope(salon=salon_a.salon), CaptureQueriesContext(connection) as few:
        assert followups_plan_birthdays(salon=salon_a.salon, today=today) == 2
    add(20, datetime.date(1992, 2, 29))
    with scope(salon=salon_a.salon), CaptureQueriesContext(connection) as many:
        assert followups_plan_birthdays(salon=salon_a.salon, today=today) == 20
    assert len(many) == len(few) <= 5
    with scope(salon=salon_a.salon):
        leap = FollowUp.objects.filter(kind="birthday", customer__birthday__day=29)
        assert {timezone.localtime(f.base_at).date() for f in leap} == {datetime.date(2027, 2, 28)}
        assert leap.count() == 20


def test_staff_see_what_is_scheduled_and_cancel_it(salon_a):
    switch_on(salon_a, "thanks")
    visit(salon_a)
    client = salon_a.client(salon_a.stylist)
    page = client.get(reverse("staff:customer_detail", args=[salon_a.customer.pk])).content.decode()
    assert "自動フォロー" in page and "ご来店のお礼" in page
    (thanks,) = planned(salon_a, "thanks")
    client.post(reverse("staff:followup_cancel", args=[thanks.pk]))
    thanks.refresh_from_db()
    assert thanks.status == FollowUpStatus.CANCELLED
    with scope(salon=salon_a.salon):
        assert AuditEntry.objects.filter(action=followups_actions.FOLLOWUP_CANCEL).exists()
    assert send(timezone.now() + datetime.timedelta(days=1)) == {}


def test_the_owner_sets_the_rules_and_waiting_messages_move(salon_a):
    switch_on(salon_a, "thanks", thanks=3)
    karte = visit(salon_a)
    data = {}
    for kind in FollowUpKind:
        data.update(
            {
                f"{kind}-title": "件名 {customer}",
                f"{kind}-body": "{salon}より {customer}へ",
                f"{kind}-delay": "10",
            }
        )
    data["thanks-enabled"] = "on"
    data["lapsed-delay"] = "120"
    response = salon_a.client().post(reverse("staff:followup_settings"), data)
    assert response.status_code == 302
    (thanks,) = planned(salon_a, "thanks")
    assert thanks.due_at == karte.created_at + datetime.timedelta(hours=10)
    data["thanks-delay"] = "500"
    page = salon_a.client().post(reverse("staff:followup_settings"), data).content.decode()
    assert "0〜72 の数を入力してください。" in page


def test_stylists_cannot_change_the_rules_and_other_salons_cannot_cancel(salon_a, salon_b):
    switch_on(salon_a, "thanks")
    visit(salon_a)
    (thanks,) = planned(salon_a, "thanks")
    assert salon_a.client(salon_a.stylist).get(reverse("staff:followup_settings")).status_code == 403
    assert salon_b.client().post(reverse("staff:followup_cancel", args=[thanks.pk])).status_code == 404
    thanks.refresh_from_db()
    assert thanks.status == FollowUpStatus.SCHEDULED


def test_sending_is_a_fixed_number_of_queries_per_message(salon_a):
    from django.test.utils import CaptureQueriesContext

    switch_on(salon_a, "thanks", thanks=0)
    linked_phone(salon_a)
    linked_phone(salon_a, salon_a.other_customer)
    visit(salon_a)
    with CaptureQueriesContext(connection) as one:
        send(timezone.now() + datetime.timedelta(seconds=1))
    visit(salon_a, customer=salon_a.other_customer)
    make_karte(salon_a, customer=salon_a.other_customer, date=TODAY)
    with CaptureQueriesContext(connection) as two:
        send(timezone.now() + datetime.timedelta(seconds=1))
    assert len(two) <= 2 * len(one)
