"""「分析」: linked ÷ active customers, notices' reach and read rate, and the 90-day repeat rate of
customers with and without the app, month by month, from a nightly roll-up (so the page reads twelve
rows however many kartes the salon keeps)."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from analytics.models import MonthlyFigures
from analytics.services import analytics_roll_up, month_starts
from kartes.services import karte_create
from linking.models import Device
from notices.services import notice_mark_read
from push.keys import vapid_pair_new
from push.models import NoticePush

from .factories import make_notice, make_sheet_response
from .linking_helpers import linked_phone
from .racing import postgres_only, race

TODAY = datetime.date(2026, 11, 28)
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
JUNE = datetime.date(2026, 6, 1)
PAGE = reverse("staff:analytics")


def visit(world, customer, day):
    with scope(salon=world.salon):
        karte_create(
            salon=world.salon, actor=world.owner.user, customer=customer, treatment_date=day,
            staff=world.stylist, menu="カット", items=[],
        )  # fmt: skip


def a_year_of_visits(world):
    """森川 linked the app in January and came back within 90 days; 佐藤 has no app and did not."""
    linked_phone(world)
    with scope(salon=world.salon):
        Device.objects.update(linked_at=timezone.make_aware(datetime.datetime(2026, 1, 5)))
    visit(world, world.customer, datetime.date(2026, 6, 10))
    visit(world, world.customer, datetime.date(2026, 7, 20))
    visit(world, world.other_customer, datetime.date(2026, 6, 15))
    visit(world, world.other_customer, datetime.date(2026, 10, 1))
    june = timezone.make_aware(datetime.datetime(2026, 6, 20, 9))
    notice = make_notice(world, title="夏季休業", starts_at=june, ends_at=june + datetime.timedelta(days=30))
    with scope(salon=world.salon):
        notice_mark_read(notice=notice, customer=world.customer)


def test_the_months_are_rolled_up_from_visits_phones_and_notices(salon_a):
    a_year_of_visits(salon_a)
    with scope(salon=salon_a.salon):
        assert analytics_roll_up(salon=salon_a.salon, today=TODAY) == 12
        june = MonthlyFigures.objects.get(month=JUNE)
        july = MonthlyFigures.objects.get(month=datetime.date(2026, 7, 1))
        october = MonthlyFigures.objects.get(month=datetime.date(2026, 10, 1))
    assert (june.active, june.linked) == (2, 1)
    assert (june.visitors_linked, june.returned_linked) == (1, 1)
    assert (june.visitors_unlinked, june.returned_unlinked) == (1, 0)
    assert june.repeat_final is True and october.repeat_final is False
    assert (july.visitors_linked, july.returned_linked) == (1, 0)
    assert (june.notices, june.reach, june.reads) == (1, 1, 1)


def test_counselling_sheets_are_counted_by_the_month_they_were_sent(salon_a, own_storage):
    from counselling.models import ResponseSource, SheetResponse

    make_sheet_response(salon_a)
    from_app = make_sheet_response(salon_a, customer=salon_a.customer)
    with scope(salon=salon_a.salon):
        SheetResponse.objects.update(submitted_at=timezone.make_aware(datetime.datetime(2026, 6, 20, 10)))
        SheetResponse.objects.filter(pk=from_app.pk).update(source=ResponseSource.APP)
        analytics_roll_up(salon=salon_a.salon, today=TODAY)
        june = MonthlyFigures.objects.get(month=JUNE)
        july = MonthlyFigures.objects.get(month=datetime.date(2026, 7, 1))
    assert (june.sheets, june.sheets_from_app) == (2, 1)
    assert july.sheets == 0
    page = salon_a.client().get(PAGE).content.decode()
    assert "問診票の受付数" in page
    assert "<title>6: 2</title>" in page  # the June bar says its count, not a percentage


def test_months_that_can_no_longer_change_are_left_alone(salon_a):
    a_year_of_visits(salon_a)
    with scope(salon=salon_a.salon):
        analytics_roll_up(salon=salon_a.salon, today=TODAY)
        # A month is final 90 days after its last day: up to July; August (31 + 90 days = 29 November)
        # to November are worked out again.
        assert analytics_roll_up(salon=salon_a.salon, today=TODAY) == 4


def test_the_page_shows_charts_with_their_numbers_in_tables(salon_a):
    a_year_of_visits(salon_a)
    with scope(salon=salon_a.salon):
        analytics_roll_up(salon=salon_a.salon)
    page = salon_a.client().get(PAGE).content.decode()
    assert page.count('<svg class="chart"') == 5  # with push set up, a sixth: read rate pushed or not
    assert "90日以内の再来店" in page and "アプリ連携あり" in page and "アプリ連携なし" in page
    assert '<strong>100%</strong> <span class="muted">1 / 1</span>' in page
    assert '<strong>0%</strong> <span class="muted">0 / 1</span>' in page


def test_the_page_reads_the_same_few_rows_whatever_the_data_size(salon_a):
    client = salon_a.client()
    with scope(salon=salon_a.salon):
        analytics_roll_up(salon=salon_a.salon)
    with CaptureQueriesContext(connection) as small:
        client.get(PAGE)
    a_year_of_visits(salon_a)
    for day in range(1, 28):
        visit(salon_a, salon_a.customer, datetime.date(2026, 8, day))
    with scope(salon=salon_a.salon):
        analytics_roll_up(salon=salon_a.salon)
    with CaptureQueriesContext(connection) as large:
        client.get(PAGE)
    assert len(large) == len(small)


def test_the_first_visit_to_the_page_works_the_figures_out(salon_a):
    a_year_of_visits(salon_a)
    response = salon_a.client().get(PAGE)  # the test queue runs the roll-up at once
    assert response.status_code == 200
    with scope(salon=salon_a.salon):
        assert MonthlyFigures.objects.count() == 12
        assert set(MonthlyFigures.objects.values_list("month", flat=True)) == set(
            month_starts(today=timezone.localdate())
        )


def test_only_the_owner_sees_it_and_only_their_salon(salon_a, salon_b):
    a_year_of_visits(salon_a)
    assert salon_a.client(salon_a.stylist).get(PAGE).status_code == 403
    other = salon_b.client().get(PAGE).content.decode()
    assert "1 / 1" not in other
    with scope(salon=salon_b.salon):
        assert all(row.visitors_linked == 0 for row in MonthlyFigures.objects.all())


def test_the_read_rate_is_the_notice_lists_and_never_passes_100_percent(salon_a):
    """A phone linked in the same minute the notice started reads it, another linked phone does
    not, and a reader has since unlinked: the list says 1 / 2 and so does 分析."""
    from customers.models import Customer

    starts = timezone.now() - datetime.timedelta(seconds=30)
    notice = make_notice(salon_a, title="年末のご案内", starts_at=starts)
    linked_phone(salon_a)  # 森川, linked after the notice started (same minute)
    linked_phone(salon_a, salon_a.other_customer)  # 佐藤, who does not read it
    with scope(salon=salon_a.salon):
        gone = Customer.objects.create(salon=salon_a.salon, name="去る 人", kana="さる", number=99)
    linked_phone(salon_a, gone)
    with scope(salon=salon_a.salon):
        for customer in (salon_a.customer, gone):
            notice_mark_read(notice=notice, customer=customer)
        Device.objects.filter(customer=gone).update(revoked_at=timezone.now())
    listed = salon_a.client().get(reverse("staff:notice_list")).content.decode()
    assert "<strong data-views>1</strong> / 2" in listed
    with scope(salon=salon_a.salon):
        analytics_roll_up(salon=salon_a.salon, today=timezone.localdate())
        month = MonthlyFigures.objects.get(month=timezone.localdate().replace(day=1))
    assert (month.notices, month.reach, month.reads) == (1, 2, 1)
    page = salon_a.client().get(PAGE).content.decode()
    assert (
        '<strong>50%</strong> <span class="muted">1 / 2</span>' in page
        and "時点の集計です。毎晩集計し直します。" in page
    )


def test_the_read_rate_of_pushed_notices_is_set_beside_that_of_the_others(salon_a, settings):
    """Two June notices to the one linked customer: the one pushed to a phone was read, the other not."""
    a_year_of_visits(salon_a)  # 夏季休業: not pushed, read
    june = timezone.make_aware(datetime.datetime(2026, 6, 25, 12))
    pushed = make_notice(
        salon_a, title="ご来店のお礼", starts_at=june, ends_at=june + datetime.timedelta(days=7)
    )
    with scope(salon=salon_a.salon):
        NoticePush.objects.create(salon=salon_a.salon, notice=pushed, kind="everyone", phones=1)
        notice_mark_read(notice=pushed, customer=salon_a.customer)
        analytics_roll_up(salon=salon_a.salon, today=TODAY)
        row = MonthlyFigures.objects.get(month=JUNE)
    assert (row.reach, row.reads, row.reach_pushed, row.reads_pushed) == (2, 2, 1, 1)
    assert "プッシュ通知の有無と既読率" not in salon_a.client().get(PAGE).content.decode()  # push not set up
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = vapid_pair_new()
    page = salon_a.client().get(PAGE).content.decode()
    assert "プッシュ通知の有無と既読率" in page and page.count('<svg class="chart"') == 6


def test_the_share_of_visits_that_left_with_the_next_visit_booked(salon_a):
    from appointments.services import appointment_book

    june_5 = datetime.date(2026, 6, 5)
    visit(salon_a, salon_a.customer, june_5)  # books the next visit at the counter that day
    visit(salon_a, salon_a.other_customer, datetime.date(2026, 6, 9))  # leaves without one
    with scope(salon=salon_a.salon), time_machine.travel(datetime.datetime(2026, 6, 5, 18, 0, tzinfo=TOKYO)):
        appointment_book(
            salon=salon_a.salon, actor=None, customer=salon_a.customer, staff=salon_a.stylist,
            starts_at=datetime.datetime(2026, 7, 17, 11, 0, tzinfo=TOKYO),
        )  # fmt: skip
    with scope(salon=salon_a.salon), time_machine.travel(datetime.datetime(2026, 6, 20, 12, 0, tzinfo=TOKYO)):
        appointment_book(  # booked later by phone: not "left with a booking"
            salon=salon_a.salon, actor=None, customer=salon_a.other_customer, staff=salon_a.stylist,
            starts_at=datetime.datetime(2026, 7, 20, 11, 0, tzinfo=TOKYO),
        )  # fmt: skip
    with scope(salon=salon_a.salon):
        analytics_roll_up(salon=salon_a.salon, today=TODAY)
        june = MonthlyFigures.objects.get(month=JUNE)
    assert (june.visits, june.visits_next_booked) == (2, 1)
    page = salon_a.client().get(PAGE).content.decode()
    assert "次回予約率" in page and "50%" in page


FIGURES = [f.name for f in MonthlyFigures._meta.fields if f.name not in {"id", "salon", "computed_at"}]


def _figures(world):
    with scope(salon=world.salon):
        return {row["month"]: row for row in MonthlyFigures.objects.values(*FIGURES)}


def test_a_night_works_out_only_the_changed_customers_and_adds_up_as_a_full_count(salon_a, monkeypatch):
    """Each night works out again the customers whose visits, phones or bookings changed (a karte
    written or deleted, a phone linked, a visit booked) and no one else; an erased customer is taken
    off at once; the months then read the same as counted afresh from every visit."""
    from analytics import services
    from appointments.services import appointment_book
    from kartes.models import Karte
    from kartes.services import karte_delete
    from privacy.services import customer_erase

    from .factories import make_customer

    quiet = make_customer(salon_a, "静か 一郎", "しずか いちろう")
    with time_machine.travel(datetime.datetime(2026, 11, 1, 9, tzinfo=TOKYO), tick=False):
        a_year_of_visits(salon_a)
        visit(salon_a, quiet, datetime.date(2026, 9, 3))
    with (
        time_machine.travel(datetime.datetime(2026, 11, 1, 12, tzinfo=TOKYO), tick=False),
        scope(salon=salon_a.salon),
    ):
        analytics_roll_up(salon=salon_a.salon, today=datetime.date(2026, 11, 1))
    worked_out = []
    real = services._parts

    def spy(salon, customer_id, *rest):
        worked_out.append(customer_id)
        return real(salon, customer_id, *rest)

    monkeypatch.setattr(services, "_parts", spy)
    with time_machine.travel(datetime.datetime(2026, 11, 28, 12, tzinfo=TOKYO), tick=False):
        visit(salon_a, salon_a.other_customer, datetime.date(2026, 11, 20))  # 佐藤 comes back
        linked_phone(salon_a, salon_a.other_customer)  # … and links the app
        with scope(salon=salon_a.salon):
            Device.objects.filter(customer=salon_a.other_customer).update(linked_at=timezone.now())
        with scope(salon=salon_a.salon):
            karte_delete(
                karte=Karte.objects.get(
                    customer=salon_a.other_customer, treatment_date=datetime.date(2026, 10, 1)
                ),
                actor=salon_a.owner.user,
            )
            appointment_book(
                salon=salon_a.salon, actor=salon_a.owner.user, customer=salon_a.customer,
                staff=salon_a.stylist, starts_at=datetime.datetime(2026, 12, 10, 10, tzinfo=TOKYO), menus=[],
            )  # fmt: skip
            customer_erase(
                customer=quiet, actor=salon_a.owner.user, confirm_name=quiet.name
            )  # taken off at once
            assert MonthlyFigures.objects.get(month=datetime.date(2026, 9, 1)).active == 2
            analytics_roll_up(salon=salon_a.salon, today=TODAY)
        assert sorted(set(worked_out)) == sorted({salon_a.customer.pk, salon_a.other_customer.pk})
        nightly = _figures(salon_a)
        with scope(salon=salon_a.salon):
            from analytics.models import CustomerMonth, RollUpState

            RollUpState.objects.all().delete()
            CustomerMonth.objects.all().delete()
            MonthlyFigures.objects.all().delete()
            analytics_roll_up(salon=salon_a.salon, today=TODAY)
    afresh = _figures(salon_a)
    open_months = [month for month, row in nightly.items() if not row["repeat_final"]]
    assert len(open_months) == 4  # August to November; the months before stay as they were
    assert {m: nightly[m] for m in open_months} == {m: afresh[m] for m in open_months}
    september, october, november = (nightly[datetime.date(2026, m, 1)] for m in (9, 10, 11))
    assert september["active"] == 2 and september["visits"] == 0  # 静か's September visit erased
    assert october["visits"] == 0  # 佐藤's October visit deleted
    assert (november["visits"], november["visitors_unlinked"], november["linked"]) == (1, 1, 2)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_roll_ups_of_one_salon_at_once_wait_for_each_other(salon_a):
    a_year_of_visits(salon_a)

    def roll_up():
        with scope(salon=salon_a.salon):
            return analytics_roll_up(salon=salon_a.salon, today=TODAY)

    results, errors = race(roll_up, 3)
    # One after the other: the first writes the twelve months, the next ones only the open four.
    assert errors == [] and sorted(results) == [4, 4, 12]
    with scope(salon=salon_a.salon):
        june = MonthlyFigures.objects.get(month=JUNE)
    assert (june.active, june.visitors_linked, june.returned_linked) == (2, 1, 1)
