"""Appointments: the menus decide the length, one staff member's appointments never overlap (8
tablets booking one slot at once on PostgreSQL get one booking), and the states go 予約 → 来店 → 完了
or キャンセル / 無断キャンセル, with who and when."""

import datetime
import re
import uuid
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils.timezone import now as timezone_now
from django_scopes import scope

from appointments.models import Appointment
from appointments.services import SlotTaken, appointment_book, appointment_move, appointment_set_state
from menus.services import menu_category_save, menu_item_save

from .racing import postgres_only, race

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
TEN = datetime.datetime(2026, 12, 10, 10, 0, tzinfo=TOKYO)


def _book(world, *, at=TEN, staff="stylist", minutes=None, **kwargs):
    member = None if staff is None else getattr(world, staff)
    with scope(salon=world.salon):
        menus = []
        if minutes:
            category = menu_category_save(salon=world.salon, actor=None, name="カット")
            menus = [
                menu_item_save(salon=world.salon, actor=None, category=category, name="カット", price=5000)
            ]
            menus[0].minutes = minutes
            menus[0].save()
        return appointment_book(
            salon=world.salon,
            actor=world.owner.user,
            customer=kwargs.pop("customer", world.customer),
            staff=member,
            starts_at=at,
            menus=menus,
            **kwargs,
        )


def test_the_menus_decide_how_long_it_takes(salon_a):
    appointment = _book(salon_a, minutes=90)
    assert appointment.ends_at - appointment.starts_at == datetime.timedelta(minutes=90)
    assert appointment.menu_lines == [
        {"id": appointment.menu_lines[0]["id"], "name": "カット", "price": 5000, "minutes": 90}
    ]
    without = _book(salon_a, at=TEN + datetime.timedelta(hours=3))
    assert without.ends_at - without.starts_at == datetime.timedelta(hours=1)  # no minutes: an hour


def test_one_staff_member_is_never_booked_twice_at_once(salon_a):
    _book(salon_a, minutes=60)
    with pytest.raises(SlotTaken) as taken:
        _book(salon_a, at=TEN + datetime.timedelta(minutes=30), customer=salon_a.other_customer)
    assert taken.value.other is not None and taken.value.other.customer == salon_a.customer
    # Back to back is fine; another staff member and 指名なし are fine.
    _book(salon_a, at=TEN + datetime.timedelta(hours=1), customer=salon_a.other_customer)
    _book(salon_a, staff="owner", customer=salon_a.other_customer)
    _book(salon_a, staff=None, customer=salon_a.other_customer)


def test_a_cancelled_appointment_frees_its_time_and_cannot_come_back_over_another(salon_a):
    first = _book(salon_a)
    with scope(salon=salon_a.salon):
        appointment_set_state(appointment=first, actor=salon_a.owner.user, state="cancelled")
        assert (first.state_changed_by, first.state_changed_at is not None) == (salon_a.owner.user, True)
    _book(salon_a, customer=salon_a.other_customer)
    with scope(salon=salon_a.salon), pytest.raises(SlotTaken):
        appointment_set_state(appointment=first, actor=salon_a.owner.user, state="booked")


def test_states_go_forward_and_back_one_step(salon_a):
    appointment = _book(salon_a)
    with scope(salon=salon_a.salon):
        for state in ("arrived", "done", "arrived", "booked", "no_show"):
            appointment_set_state(appointment=appointment, actor=salon_a.stylist.user, state=state)
        with pytest.raises(ValueError):
            appointment_set_state(appointment=appointment, actor=None, state="done")


def test_moving_onto_another_appointment_is_refused(salon_a):
    first = _book(salon_a)
    second = _book(salon_a, at=TEN + datetime.timedelta(hours=2), customer=salon_a.other_customer)
    with scope(salon=salon_a.salon):
        with pytest.raises(SlotTaken):
            appointment_move(
                appointment=second, actor=None, starts_at=first.starts_at, ends_at=first.ends_at,
                staff=salon_a.stylist,
            )  # fmt: skip
        appointment_move(
            appointment=second,
            actor=None,
            starts_at=first.starts_at,
            ends_at=first.ends_at,
            staff=salon_a.owner,
        )
        assert Appointment.objects.get(pk=second.pk).staff == salon_a.owner


def test_the_same_form_sent_twice_books_once(salon_a):
    key = uuid.uuid4()
    first = _book(salon_a, client_key=key)
    again = _book(salon_a, client_key=key)
    assert first.pk == again.pk


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_eight_tablets_booking_one_slot_at_once_get_one_booking(salon_a):
    def book():
        return _book(salon_a, customer=salon_a.other_customer)

    results, errors = race(book, 8)
    assert len(results) == 1
    assert len(errors) == 7 and all(isinstance(error, SlotTaken) for error in errors), errors
    with scope(salon=salon_a.salon):
        assert Appointment.objects.filter(staff=salon_a.stylist).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_database_itself_refuses_an_overlap(salon_a):
    from django.db import IntegrityError

    first = _book(salon_a)
    with scope(salon=salon_a.salon), pytest.raises(IntegrityError):
        Appointment.objects.create(  # past the services: the exclusion constraint still holds
            salon=salon_a.salon, customer=salon_a.other_customer, staff=salon_a.stylist,
            starts_at=first.starts_at + datetime.timedelta(minutes=15), ends_at=first.ends_at,
        )  # fmt: skip


# The pages ------------------------------------------------------------------------------------------


def test_booking_from_an_empty_slot_of_the_ledger(salon_a):
    client = salon_a.client(salon_a.stylist)
    ledger = client.get(reverse("staff:ledger"), {"date": "2026-12-10"}).content.decode()
    assert salon_a.stylist.display_name in ledger and "指名なし" in ledger
    slot = f"{reverse('staff:appointment_create')}?start=2026-12-10T11%3A00&amp;staff={salon_a.stylist.pk}"
    assert slot in ledger
    search = client.get(reverse("staff:appointment_create"), {"start": "2026-12-10T11:00", "q": "もりかわ"})
    assert salon_a.customer.name in search.content.decode()
    url = f"{reverse('staff:appointment_create')}?start=2026-12-10T11:00&staff={salon_a.stylist.pk}"
    form = client.get(f"{url}&customer={salon_a.customer.pk}").content.decode()
    assert 'value="2026-12-10"' in form and 'value="11:00"' in form
    data = {
        "customer": salon_a.customer.pk, "date": "2026-12-10", "time": "11:00", "staff": salon_a.stylist.pk,
        "source": "phone", "minutes": "90", "note": "カラー相談",
    }  # fmt: skip
    done = client.post(reverse("staff:appointment_create"), data)
    assert done.status_code == 302 and done["Location"].endswith("date=2026-12-10")
    again = client.get(reverse("staff:ledger"), {"date": "2026-12-10"}).content.decode()
    assert salon_a.customer.name in again and "11:00–12:30" in again

    clash = client.post(reverse("staff:appointment_create"), {**data, "customer": salon_a.other_customer.pk})
    body = clash.content.decode()
    assert clash.status_code == 400 and "別の時間を選んでください" in body and salon_a.customer.name in body
    assert "カラー相談" in body  # what was typed stays


def test_arriving_opens_the_karte_with_the_appointments_staff_and_menus(salon_a):
    appointment = _book(salon_a, minutes=60)
    client = salon_a.client()
    response = client.post(
        reverse("staff:appointment_state", kwargs={"pk": appointment.pk}), {"state": "arrived"}
    )
    karte_url = reverse("staff:karte_create", kwargs={"customer_pk": salon_a.customer.pk})
    assert response["Location"] == f"{karte_url}?appointment={appointment.pk}"
    editor = client.get(response["Location"])
    assert editor.context["form"].initial["staff"] == salon_a.stylist
    assert editor.context["form"].initial["menu_items"] == [appointment.menu_lines[0]["id"]]
    assert str(editor.context["form"].initial["treatment_date"]) == "2026-12-10"


def test_another_salons_customer_cannot_be_booked(salon_a, salon_b):
    response = salon_b.client().get(reverse("staff:appointment_create"), {"customer": salon_a.customer.pk})
    assert response.status_code == 404


def test_the_saved_karte_offers_the_next_visit_on_its_suggested_date(salon_a):
    from django.utils import timezone

    from kartes.models import Karte

    karte = __import__("tests.factories", fromlist=["make_karte"]).make_karte(
        salon_a, date=timezone.localdate()
    )
    with scope(salon=salon_a.salon):
        Karte.objects.filter(pk=karte.pk).update(next_visit_weeks=6)
    client = salon_a.client(salon_a.stylist)
    page = client.get(reverse("staff:customer_detail", kwargs={"pk": salon_a.customer.pk})).content.decode()
    suggested = (timezone.localdate() + datetime.timedelta(weeks=6)).isoformat()
    link = (
        f"{reverse('staff:appointment_create')}?customer={salon_a.customer.pk}&amp;staff={salon_a.stylist.pk}"
        f"&amp;start={suggested}T10:00"
    )
    assert "次回予約を入れる" in page and link in page
    form = client.get(link.replace("&amp;", "&"))
    assert form.context["form"].initial["date"].isoformat() == suggested
    booked = client.post(
        reverse("staff:appointment_create"),
        {"customer": salon_a.customer.pk, "date": suggested, "time": "10:00", "staff": salon_a.stylist.pk,
         "source": "counter"},
    )  # fmt: skip
    assert booked.status_code == 302  # the second tap
    page = client.get(reverse("staff:customer_detail", kwargs={"pk": salon_a.customer.pk})).content.decode()
    assert "この先の予約はありません" not in page and "10:00" in page


def test_moving_from_the_page_and_by_a_drag(salon_a):
    first = _book(salon_a)
    second = _book(salon_a, at=TEN + datetime.timedelta(hours=3), customer=salon_a.other_customer)
    client = salon_a.client(salon_a.stylist)
    url = reverse("staff:appointment_move", kwargs={"pk": second.pk})
    onto_first = {"date": "2026-12-10", "time": "10:30", "staff": salon_a.stylist.pk, "minutes": "60"}
    refused = client.post(url, onto_first, HTTP_X_KARTE_MOVE="drag")
    assert refused.status_code == 409 and salon_a.customer.name in refused.json()["error"]
    page = client.post(url, onto_first)
    assert page.status_code == 400 and "別の時間を選んでください" in page.content.decode()
    assert client.post(url, {**onto_first, "staff": salon_a.owner.pk}, HTTP_X_KARTE_MOVE="drag").json() == {
        "ok": True
    }
    with scope(salon=salon_a.salon):
        moved = Appointment.objects.get(pk=second.pk)
        assert Appointment.objects.get(pk=first.pk).starts_at == TEN  # the one in the way never moved
    assert (moved.staff, moved.starts_at) == (salon_a.owner, TEN + datetime.timedelta(minutes=30))


# Reminders ------------------------------------------------------------------------------------------


def _linked(world):
    from .linking_helpers import linked_phone

    linked_phone(world)


def _reminders(world, at):
    from appointments.reminders import reminders_send

    with scope(salon=world.salon):
        return reminders_send(salon=world.salon, now=at)


def test_a_reminder_the_day_before_at_the_salons_time_once(salon_a):
    from notices.models import Notice

    salon_a.salon.reminder_time = datetime.time(18, 0)
    salon_a.salon.save()
    _linked(salon_a)
    _book(salon_a, minutes=60)  # 2026-12-10 10:00
    cancelled = _book(salon_a, at=TEN + datetime.timedelta(hours=3), staff="owner")
    with scope(salon=salon_a.salon):
        appointment_set_state(appointment=cancelled, actor=None, state="cancelled")
    _book(salon_a, at=TEN + datetime.timedelta(hours=2), customer=salon_a.other_customer)  # no phone linked
    day_before = datetime.datetime(2026, 12, 9, 17, 55, tzinfo=TOKYO)
    assert _reminders(salon_a, day_before) == 0  # not yet
    assert _reminders(salon_a, day_before + datetime.timedelta(minutes=5)) == 1
    assert _reminders(salon_a, day_before + datetime.timedelta(minutes=10)) == 0  # once
    with scope(salon=salon_a.salon):
        (notice,) = Notice.objects.filter(source="reminder")
    assert notice.customer == salon_a.customer and "明日のご予約" in notice.title
    assert (
        "12月10日 10:00" in notice.body
        and salon_a.stylist.display_name in notice.body
        and "カット" in notice.body
    )


def test_reminders_cost_the_same_queries_for_2_or_20(salon_a):
    """Posted in batches: a constant number of queries whatever the number of reminders."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from linking.models import Device

    from .factories import make_customer

    salon_a.salon.reminder_time = datetime.time(18, 0)
    salon_a.salon.save()
    counts = []
    for day, count in ((10, 2), (11, 20)):
        for number in range(count):
            customer = make_customer(salon_a, f"客 {day}-{number}")
            with scope(salon=salon_a.salon):
                Device.objects.create(
                    salon=salon_a.salon,
                    customer=customer,
                    credential_hash=f"{customer.pk:064d}",
                    label="iPhone",
                )
            at = datetime.datetime(2026, 12, day, 9, 0, tzinfo=TOKYO) + datetime.timedelta(
                minutes=30 * number
            )
            _book(salon_a, at=at, staff=None, customer=customer)
        with CaptureQueriesContext(connection) as queries:
            assert _reminders(salon_a, datetime.datetime(2026, 12, day - 1, 18, 0, tzinfo=TOKYO)) == count
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 6, counts


def test_no_reminder_when_the_salon_sends_none(salon_a):
    _linked(salon_a)
    _book(salon_a)
    assert _reminders(salon_a, datetime.datetime(2026, 12, 9, 23, 0, tzinfo=TOKYO)) == 0


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_post_one_reminder(salon_a):
    from notices.models import Notice

    salon_a.salon.reminder_time = datetime.time(18, 0)
    salon_a.salon.save()
    _linked(salon_a)
    _book(salon_a)
    results, errors = race(
        lambda: _reminders(salon_a, datetime.datetime(2026, 12, 9, 19, 0, tzinfo=TOKYO)), 4
    )
    assert errors == [] and sorted(results) == [0, 0, 0, 1]
    with scope(salon=salon_a.salon):
        assert Notice.objects.filter(source="reminder").count() == 1


# The calendar feed -----------------------------------------------------------------------------------


def test_a_staff_members_own_appointments_at_a_secret_address_they_can_change(salon_a, salon_b):
    from django.test import Client

    mine = _book(salon_a, note="カラー, 根元のみ; 前回より明るく")
    _book(salon_a, staff="owner", customer=salon_a.other_customer)
    client = salon_a.client(salon_a.stylist)
    assert client.get(reverse("staff:account")).status_code == 200
    client.post(reverse("staff:calendar_feed_manage"), {"action": "renew"})
    page = client.get(reverse("staff:account")).content.decode()
    shown = re.search(r'value="(http://testserver/calendar/[^"]+\.ics)"', page)
    assert shown is not None
    url = shown.group(1)
    assert url not in client.get(reverse("staff:account")).content.decode()  # shown once

    feed = Client().get(url.removeprefix("http://testserver"))
    assert feed["Content-Type"] == "text/calendar; charset=utf-8"
    text = feed.content.decode()
    assert f"UID:appointment-{mine.pk}@karte" in text and salon_a.customer.name in text
    assert salon_a.other_customer.name not in text  # the owner's appointment is not the stylist's
    assert "DTSTART:20261210T010000Z" in text and "カラー\\, 根元のみ\\; 前回より明るく" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))

    client.post(reverse("staff:calendar_feed_manage"), {"action": "renew"})
    assert Client().get(url.removeprefix("http://testserver")).status_code == 404  # the old address ends
    client.post(reverse("staff:calendar_feed_manage"), {"action": "stop"})
    assert not client.get(reverse("staff:account")).context["calendar_on"]


# Shifts -------------------------------------------------------------------------------------------


def test_shifts_and_days_off_decide_what_the_ledger_offers_and_what_can_be_booked(salon_a):
    owner = salon_a.client()
    url = reverse("staff:staff_shifts", kwargs={"pk": salon_a.stylist.pk})
    week = {"action": "week", "mode": "weekly"}
    for weekday in range(5):  # Monday to Friday, 12:00–18:00; weekends off
        week |= {f"works_{weekday}": "on", f"from_{weekday}": "12:00", f"until_{weekday}": "18:00"}
    bad = owner.post(url, {**week, "until_0": "11:00"})
    assert bad.status_code == 400 and "終了は開始より後" in bad.content.decode()
    assert owner.post(url, week).status_code == 302
    owner.post(url, {"action": "date", "date": "2026-12-11", "off": "on"})  # Friday off

    stylist = salon_a.client(salon_a.stylist)
    thursday = stylist.get(reverse("staff:ledger"), {"date": "2026-12-10"}).content.decode()
    slot = f"staff={salon_a.stylist.pk}"
    assert f"start=2026-12-10T12%3A00&amp;{slot}" in thursday
    assert f"start=2026-12-10T11%3A30&amp;{slot}" not in thursday  # before the shift
    assert f"start=2026-12-10T11%3A30&amp;staff={salon_a.owner.pk}" in thursday  # the owner: salon hours
    friday = stylist.get(reverse("staff:ledger"), {"date": "2026-12-11"}).content.decode()
    assert slot not in friday and "休み" in friday

    data = {
        "customer": salon_a.customer.pk, "date": "2026-12-11", "time": "13:00", "staff": salon_a.stylist.pk,
        "source": "phone",
    }  # fmt: skip
    off = stylist.post(reverse("staff:appointment_create"), data)
    assert off.status_code == 400 and "その日はお休みです" in off.content.decode()
    early = stylist.post(reverse("staff:appointment_create"), {**data, "date": "2026-12-10", "time": "11:30"})
    assert early.status_code == 400 and "12:00〜18:00" in early.content.decode()
    fine = stylist.post(reverse("staff:appointment_create"), {**data, "date": "2026-12-10", "time": "12:00"})
    assert fine.status_code == 302

    back = owner.post(url, {"action": "week", "mode": "salon"})  # the salon's hours again
    assert back.status_code == 302
    assert (
        f"start=2026-12-10T11%3A30&amp;{slot}"
        in stylist.get(reverse("staff:ledger"), {"date": "2026-12-10"}).content.decode()
    )


def test_a_staff_members_week(salon_a):
    _book(salon_a)  # Thursday 10 December
    _book(salon_a, at=TEN + datetime.timedelta(days=2), customer=salon_a.other_customer)  # Saturday
    _book(salon_a, staff="owner", at=TEN + datetime.timedelta(days=1))  # someone else's
    client = salon_a.client(salon_a.stylist)
    week = client.get(reverse("staff:ledger_week", kwargs={"pk": salon_a.stylist.pk}), {"date": "2026-12-10"})
    page = week.content.decode()
    assert week.status_code == 200 and "2026年12月7日の週" in page
    assert salon_a.customer.name in page and salon_a.other_customer.name in page
    assert page.count("ledger__appointment ledger__appointment--") == 2  # the owner's is not in it
    assert "start=2026-12-13T10%3A00" in page  # Sunday is offered too (salon hours every day)


def test_the_ledger_reads_the_same_few_queries_however_many_appointments(salon_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = salon_a.client(salon_a.stylist)
    url, params = reverse("staff:ledger"), {"date": "2026-12-10"}
    _book(salon_a)
    client.get(url, params)
    with CaptureQueriesContext(connection) as one:
        client.get(url, params)
    for hour in range(1, 8):
        _book(salon_a, at=TEN + datetime.timedelta(hours=hour), customer=salon_a.other_customer)
        _book(
            salon_a, at=TEN + datetime.timedelta(hours=hour), staff="owner", customer=salon_a.other_customer
        )
    with CaptureQueriesContext(connection) as fifteen:
        page = client.get(url, params)
    assert page.content.decode().count("ledger__appointment ledger__appointment--") == 15
    assert len(fifteen) == len(one)

    # The week: its hours read once for the seven days, whatever dates differ from the week.
    week = reverse("staff:ledger_week", kwargs={"pk": salon_a.stylist.pk})
    client.get(week, params)
    with CaptureQueriesContext(connection) as plain_week:
        before = client.get(week, params).content.decode()
    from appointments.services import shift_exception_save

    with scope(salon=salon_a.salon):
        for day in (8, 9, 11):
            shift_exception_save(
                member=salon_a.stylist, actor=None, date=datetime.date(2026, 12, day), hours=None
            )
    with CaptureQueriesContext(connection) as week_off:
        shown = client.get(week, params).content.decode()
    assert len(week_off) == len(plain_week)
    assert shown.count("ledger__staff--off") == before.count("ledger__staff--off") + 3


# The customer's app ----------------------------------------------------------------------------------


def test_the_app_shows_the_next_appointment_to_add_to_the_calendar_and_cancel_until_the_deadline(salon_a):
    from .linking_helpers import linked_phone

    phone = linked_phone(salon_a)
    home_url = reverse("customer_app:home", kwargs={"slug": salon_a.salon.slug})
    soon = timezone_now() + datetime.timedelta(days=3)
    appointment = _book(salon_a, at=soon.replace(minute=0, second=0, microsecond=0), minutes=60)
    home = phone.get(home_url).content.decode()
    assert "次回のご予約" in home and "キャンセル" in home and "カット" in home
    ics = phone.get(
        reverse("customer_app:appointment_ics", kwargs={"slug": salon_a.salon.slug, "pk": appointment.pk})
    )
    assert ics["Content-Type"] == "text/calendar" and "BEGIN:VEVENT" in ics.content.decode()

    salon_a.salon.app_cancel_hours = 24 * 7  # the deadline has passed: a week before
    salon_a.salon.save()
    cancel = reverse(
        "customer_app:appointment_cancel", kwargs={"slug": salon_a.salon.slug, "pk": appointment.pk}
    )
    late = phone.post(cancel)
    assert late["Location"].endswith("?cancel=late")
    past_deadline = phone.get(home_url).content.decode()
    assert cancel not in past_deadline and "変更・キャンセルはサロンにお電話ください" in past_deadline
    salon_a.salon.app_cancel_hours = 24
    salon_a.salon.save()
    assert phone.post(cancel)["Location"].endswith("?cancel=done")
    with scope(salon=salon_a.salon):
        cancelled = Appointment.objects.get(pk=appointment.pk)
    assert (cancelled.state, cancelled.state_changed_by) == ("cancelled", None)
    assert "次回のご予約" not in phone.get(home_url).content.decode()


# Requests from the app -------------------------------------------------------------------------------


def _app(world, mode):
    from .linking_helpers import linked_phone

    world.salon.app_booking = mode
    world.salon.save()
    return linked_phone(world)


def _ask(phone, world, **data):
    url = reverse("customer_app:booking", kwargs={"slug": world.salon.slug})
    return phone.post(url, {"time_1": "2026-12-20T11:00", **data})


def test_a_request_from_the_app_is_confirmed_by_staff_and_the_customer_told(salon_a):
    from notices.models import Notice

    phone = _app(salon_a, "requests")
    with time_machine_at(datetime.datetime(2026, 12, 6, 12, 0, tzinfo=TOKYO)):
        sent = _ask(
            phone, salon_a, staff=salon_a.stylist.pk, time_2="2026-12-21T15:00", note="前髪だけ短めに"
        )
    assert sent.status_code == 302
    staff = salon_a.client(salon_a.stylist)
    listing = staff.get(reverse("staff:request_list")).content.decode()
    assert salon_a.customer.name in listing and "前髪だけ短めに" in listing and "12/21 15:00" in listing
    assert 'badge--count">1' in staff.get(reverse("staff:ledger")).content.decode()
    with scope(salon=salon_a.salon):
        asked = salon_a.customer.appointment_requests.get()
    answer = reverse("staff:request_answer", kwargs={"pk": asked.pk})
    staff.post(answer, {"action": "confirm", "time": "1", "staff": salon_a.stylist.pk})
    with scope(salon=salon_a.salon):
        booked = Appointment.objects.get(customer=salon_a.customer)
        told = Notice.objects.get(customer=salon_a.customer)
    assert booked.starts_at == datetime.datetime(2026, 12, 21, 15, 0, tzinfo=TOKYO) and booked.source == "app"
    assert "ご予約が確定しました" in told.title and "12月21日 15:00" in told.body
    page = phone.get(reverse("customer_app:booking", kwargs={"slug": salon_a.salon.slug})).content.decode()
    assert "予約確定" in page


def test_the_salon_proposes_another_time_and_the_customer_takes_it(salon_a):
    phone = _app(salon_a, "requests")
    with time_machine_at(datetime.datetime(2026, 12, 6, 12, 0, tzinfo=TOKYO)):
        _ask(phone, salon_a)
        with scope(salon=salon_a.salon):
            asked = salon_a.customer.appointment_requests.get()
        staff = salon_a.client(salon_a.stylist)
        answer = reverse("staff:request_answer", kwargs={"pk": asked.pk})
        declined_empty = staff.post(answer, {"action": "decline", "message": ""}, follow=True)
        assert "メッセージを書いてください" in declined_empty.content.decode()
        staff.post(
            answer, {"action": "propose", "start": "2026-12-20T16:00", "message": "夕方なら空いています"}
        )
        page = phone.get(
            reverse("customer_app:booking", kwargs={"slug": salon_a.salon.slug})
        ).content.decode()
        assert "夕方なら空いています" in page and "12/20 16:00 で予約する" in page
        accept = reverse("customer_app:booking_accept", kwargs={"slug": salon_a.salon.slug, "pk": asked.pk})
        assert phone.post(accept).status_code == 302
    with scope(salon=salon_a.salon):
        assert Appointment.objects.get(customer=salon_a.customer).starts_at.hour == 7  # 16:00 in Tokyo, UTC


def test_instant_booking_takes_an_open_time_and_falls_back_to_a_request(salon_a):
    phone = _app(salon_a, "instant")
    with time_machine_at(datetime.datetime(2026, 12, 6, 12, 0, tzinfo=TOKYO)):
        booked = _ask(phone, salon_a, staff=salon_a.stylist.pk)
        assert booked["Location"].endswith(f"/s/{salon_a.salon.slug}/app/")
        taken = _ask(phone, salon_a, staff=salon_a.stylist.pk)  # the same time again: now a request
        assert taken["Location"].endswith("/booking/")
        closed = _ask(phone, salon_a, staff=salon_a.stylist.pk, time_1="2026-12-20T22:00")  # after hours
        assert closed["Location"].endswith("/booking/")
    with scope(salon=salon_a.salon):
        assert Appointment.objects.filter(customer=salon_a.customer).count() == 1
        states = sorted(salon_a.customer.appointment_requests.values_list("state", flat=True))
    assert states == ["confirmed", "pending", "pending"]


def test_the_app_takes_no_bookings_unless_the_salon_says_so_and_refuses_the_past(salon_a):
    phone = _app(salon_a, "off")
    url = reverse("customer_app:booking", kwargs={"slug": salon_a.salon.slug})
    assert phone.get(url).status_code == 404
    salon_a.salon.app_booking = "requests"
    salon_a.salon.save()
    with time_machine_at(datetime.datetime(2026, 12, 6, 12, 0, tzinfo=TOKYO)):
        past = phone.post(url, {"time_1": "2026-12-01T11:00", "note": "書いたこと"})
    assert (
        past.status_code == 200
        and "これから先の日時" in past.content.decode()
        and "書いたこと" in past.content.decode()
    )


# Another time for a booked appointment, asked in the app ----------------------------------------------

SIX_DEC = datetime.datetime(2026, 12, 6, 12, 0, tzinfo=TOKYO)


def _change_url(world, appointment):
    return reverse("customer_app:appointment_change", kwargs={"slug": world.salon.slug, "pk": appointment.pk})


def test_the_customer_asks_for_another_time_and_keeps_theirs_until_the_salon_moves_it(salon_a):
    from notices.models import Notice

    phone = _app(salon_a, "requests")
    home_url = reverse("customer_app:home", kwargs={"slug": salon_a.salon.slug})
    with time_machine_at(SIX_DEC):
        appointment = _book(salon_a, minutes=90)  # 12/10 10:00–11:30
        home = phone.get(home_url).content.decode()
        assert _change_url(salon_a, appointment) in home and "日時を変更" in home
        form = phone.get(_change_url(salon_a, appointment)).content.decode()
        assert "12月10日" in form and "10:00" in form
        phone.post(_change_url(salon_a, appointment), {"time_1": "2026-12-11T15:00", "note": "最初の希望"})
        sent = phone.post(
            _change_url(salon_a, appointment),
            {"time_1": "2026-12-12T11:00", "time_2": "2026-12-12T16:00", "note": "午後でも大丈夫です"},
        )
        assert sent["Location"] == home_url
        home = phone.get(home_url).content.decode()
        assert "別の日時をご希望です" in home and "12月10日" in home  # still booked at its time
    with scope(salon=salon_a.salon):
        asked = list(appointment.change_requests.order_by("pk"))
        assert [r.state for r in asked] == ["withdrawn", "pending"]  # asking again replaces the first
        assert Appointment.objects.get(pk=appointment.pk).starts_at == TEN
    staff = salon_a.client(salon_a.stylist)
    listing = staff.get(reverse("staff:request_list")).content.decode()
    assert "日時変更" in listing and "予約中: 12/10 10:00" in listing and "12/12 11:00 に移す" in listing
    assert "最初の希望" not in listing
    with time_machine_at(SIX_DEC):
        done = staff.post(
            reverse("staff:request_answer", kwargs={"pk": asked[1].pk}),
            {"action": "confirm", "time": "1", "staff": salon_a.stylist.pk},
            follow=True,
        )
    assert "移動しました" in done.content.decode()
    with scope(salon=salon_a.salon):
        moved = Appointment.objects.get(customer=salon_a.customer)  # the same one: not a second booking
        told = Notice.objects.get(customer=salon_a.customer)
    assert moved.pk == appointment.pk
    assert moved.starts_at == datetime.datetime(2026, 12, 12, 16, 0, tzinfo=TOKYO)
    assert moved.ends_at - moved.starts_at == datetime.timedelta(minutes=90)
    assert "日時を変更しました" in told.title and "12月12日 16:00" in told.body
    with time_machine_at(SIX_DEC):
        home = phone.get(home_url).content.decode()
    assert "12月12日" in home and "別の日時をご希望です" not in home


def test_a_change_is_made_at_once_where_the_salon_allows_it_inside_hours_and_free(salon_a):
    phone = _app(salon_a, "instant")
    with time_machine_at(SIX_DEC):
        appointment = _book(salon_a)
        _book(salon_a, at=TEN + datetime.timedelta(days=1), customer=salon_a.other_customer)  # 12/11 10:00
        phone.post(_change_url(salon_a, appointment), {"time_1": "2026-12-11T10:00"})  # taken: a request
        phone.post(_change_url(salon_a, appointment), {"time_1": "2026-12-11T22:00"})  # closed: a request
        with scope(salon=salon_a.salon):
            assert Appointment.objects.get(pk=appointment.pk).starts_at == TEN
            assert list(appointment.change_requests.values_list("state", flat=True)) == [
                "pending",
                "withdrawn",
            ]
        at_once = phone.post(_change_url(salon_a, appointment), {"time_1": "2026-12-11T14:00"}, follow=True)
    assert "ご予約の日時を変更しました" in at_once.content.decode()
    with scope(salon=salon_a.salon):
        assert Appointment.objects.get(pk=appointment.pk).starts_at == datetime.datetime(
            2026, 12, 11, 14, 0, tzinfo=TOKYO
        )
        assert not appointment.change_requests.filter(state="pending").exists()


def test_a_change_closes_with_its_appointment_and_ends_at_the_deadline(salon_a):
    from appointments.models import AppointmentRequest
    from appointments.services import RequestGone, booking_request_confirm

    phone = _app(salon_a, "requests")
    home_url = reverse("customer_app:home", kwargs={"slug": salon_a.salon.slug})
    with time_machine_at(SIX_DEC):
        appointment = _book(salon_a)
        phone.post(_change_url(salon_a, appointment), {"time_1": "2026-12-12T11:00"})
        phone.post(
            reverse(
                "customer_app:appointment_cancel", kwargs={"slug": salon_a.salon.slug, "pk": appointment.pk}
            )
        )
    with scope(salon=salon_a.salon):
        asked = appointment.change_requests.get()
        assert asked.state == "withdrawn"  # nothing left for the salon to answer
    staff = salon_a.client(salon_a.stylist)
    assert (
        salon_a.customer.name
        not in staff.get(reverse("staff:request_list")).content.decode().split("回答済み")[0]
    )

    # Cancelled at the counter while the request was open (written around the service): refused.
    with time_machine_at(SIX_DEC):
        second = _book(salon_a, at=TEN + datetime.timedelta(days=2))
        phone.post(_change_url(salon_a, second), {"time_1": "2026-12-13T11:00"})
    with scope(salon=salon_a.salon):
        Appointment.objects.filter(pk=second.pk).update(state="cancelled")
        open_request = AppointmentRequest.objects.get(moves=second)
        with pytest.raises(RequestGone):
            booking_request_confirm(
                request=open_request, actor=None, starts_at=open_request.preferred[0], staff=salon_a.stylist
            )

    # Past the deadline (24 hours before): the page sends the customer to the salon's phone.
    with time_machine_at(SIX_DEC):
        third = _book(salon_a, at=TEN + datetime.timedelta(days=3))
    with time_machine_at(datetime.datetime(2026, 12, 12, 10, 30, tzinfo=TOKYO)):
        late = phone.post(_change_url(salon_a, third), {"time_1": "2026-12-20T11:00"}, follow=True)
    assert "アプリでは日時を変更できません" in late.content.decode()
    with scope(salon=salon_a.salon):
        assert not AppointmentRequest.objects.filter(moves=third).exists()
    salon_a.salon.app_booking = "off"  # the app takes no bookings: changes are by phone too
    salon_a.salon.save()
    with time_machine_at(SIX_DEC):
        assert phone.get(_change_url(salon_a, third))["Location"] == home_url
        assert _change_url(salon_a, third) not in phone.get(home_url).content.decode()


def test_declining_a_change_tells_the_customer_their_time_stands(salon_a):
    from notices.models import Notice

    phone = _app(salon_a, "requests")
    with time_machine_at(SIX_DEC):
        appointment = _book(salon_a)
        phone.post(_change_url(salon_a, appointment), {"time_1": "2026-12-12T11:00"})
    with scope(salon=salon_a.salon):
        asked = appointment.change_requests.get()
    staff = salon_a.client(salon_a.stylist)
    staff.post(
        reverse("staff:request_answer", kwargs={"pk": asked.pk}),
        {"action": "decline", "message": "その日は満席です"},
    )
    with scope(salon=salon_a.salon):
        told = Notice.objects.get(customer=salon_a.customer)
        assert Appointment.objects.get(pk=appointment.pk).starts_at == TEN
    assert "その日は満席です" in told.body and "12月10日 10:00のままです" in told.body


def time_machine_at(moment):
    return time_machine.travel(moment, tick=False)


# Bookings from elsewhere, by CSV ---------------------------------------------------------------------


def test_appointments_kept_elsewhere_are_checked_then_booked(salon_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _book(salon_a)  # 2026-12-10 10:00–11:00 with the stylist: the CSV's third row clashes with it
    csv_text = (
        "日付,開始,所要時間(分),顧客番号,携帯電話,担当,メニュー,経路,メモ\r\n"
        f"2026/12/10,14:00,90,00001,,{salon_a.stylist.display_name},,電話,根元カラー\r\n"
        "2026/12/11,15:00,,,080-3333-4444,,,HPB,\r\n"
        f"2026/12/10,10:30,60,00001,,{salon_a.stylist.display_name},,電話,\r\n"
        "2026/12/12,25:00,,00001,,,,,\r\n"
        "2026/12/12,11:00,,99999,,,,,\r\n"
    )
    owner = salon_a.client()
    url = reverse("staff:appointment_import")
    upload = SimpleUploadedFile("book.csv", csv_text.encode("cp932"), content_type="text/csv")
    checked = owner.post(url, {"file": upload})
    page = checked.content.decode()
    assert checked.status_code == 200 and "5行のうち3行を予約できます" in page
    assert "日付か時刻が読み取れません" in page and "この顧客番号か電話番号のお客様はいません" in page
    with scope(salon=salon_a.salon):
        assert Appointment.objects.count() == 1  # nothing booked yet
    done = owner.post(url, {"action": "import", "text": checked.context["text"]}).content.decode()
    assert "2件の予約を登録しました" in done and "すでに予約が入っています" in done
    with scope(salon=salon_a.salon):
        imported = list(Appointment.objects.exclude(starts_at=TEN).order_by("starts_at"))
    assert [(a.customer, a.source, a.note) for a in imported] == [
        (salon_a.customer, "phone", "根元カラー"),
        (salon_a.other_customer, "hpb", ""),
    ]
    assert imported[0].ends_at - imported[0].starts_at == datetime.timedelta(minutes=90)
    template = owner.get(reverse("staff:appointment_import_template"))
    assert template.content.startswith(b"\xef\xbb\xbf") and "日付" in template.content.decode("utf-8-sig")


def test_a_reminder_leaves_the_app_when_its_appointment_is_cancelled_or_moved(salon_a):
    from notices.models import Notice

    salon_a.salon.reminder_time = datetime.time(18, 0)
    salon_a.salon.save()
    _linked(salon_a)
    first = _book(salon_a)
    second = _book(salon_a, at=TEN + datetime.timedelta(hours=3))
    evening = datetime.datetime(2026, 12, 9, 18, 30, tzinfo=TOKYO)
    with time_machine_at(evening):
        assert _reminders(salon_a, evening) == 2
    with time_machine_at(evening + datetime.timedelta(minutes=5)), scope(salon=salon_a.salon):
        appointment_set_state(appointment=first, actor=None, state="cancelled")
        appointment_move(
            appointment=second, actor=None, starts_at=second.starts_at + datetime.timedelta(hours=1),
            ends_at=second.ends_at + datetime.timedelta(hours=1), staff=salon_a.stylist,
        )  # fmt: skip
        now = datetime.datetime.now(tz=datetime.UTC)
        reminders = list(Notice.objects.filter(source="reminder"))
        assert len(reminders) == 2 and all(notice.ends_at <= now for notice in reminders)  # both withdrawn
    with time_machine_at(evening + datetime.timedelta(minutes=10)):
        assert _reminders(salon_a, evening + datetime.timedelta(minutes=10)) == 1  # the moved one, anew
