"""Appointments: the menus decide the length, one staff member's appointments never overlap (8
tablets booking one slot at once on PostgreSQL get one booking), and the states go 予約 → 来店 → 完了
or キャンセル / 無断キャンセル, with who and when."""

import datetime
import uuid
import zoneinfo

import pytest
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
