"""Notices: who sees what and when, read once per customer, view counts, and constant query counts."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from audit.models import AuditEntry
from notices import actions as notices_actions
from notices.models import Notice, NoticeRead
from notices.selectors import unread_count, visible_notices
from notices.services import notice_mark_read

from .factories import make_notice
from .linking_helpers import app_url, linked_phone
from .racing import postgres_only, race


def titles(world, customer=None, now=None):
    with scope(salon=world.salon):
        return [n.title for n in visible_notices(customer=customer or world.customer, now=now)]


def test_a_broadcast_reaches_every_customer_and_a_one_to_one_notice_only_its_customer(salon_a):
    make_notice(salon_a, title="全体")
    make_notice(salon_a, customer=salon_a.customer, title="森川様へ")
    assert sorted(titles(salon_a)) == ["全体", "森川様へ"]
    assert titles(salon_a, salon_a.other_customer) == ["全体"]


def test_another_salons_notices_are_never_shown(salon_a, salon_b):
    make_notice(salon_b, title="Bの全体告知")
    make_notice(salon_b, customer=salon_b.customer, title="Bの個別")
    assert titles(salon_a) == []


def test_the_display_period_decides_when_a_notice_shows(salon_a):
    start = timezone.now() + datetime.timedelta(hours=1)
    end = start + datetime.timedelta(days=1)
    make_notice(salon_a, title="予定", starts_at=start, ends_at=end)
    assert titles(salon_a, now=start - datetime.timedelta(seconds=1)) == []
    assert titles(salon_a, now=start) == ["予定"]
    assert titles(salon_a, now=end - datetime.timedelta(seconds=1)) == ["予定"]
    assert titles(salon_a, now=end) == []


def test_the_app_follows_the_clock(salon_a):
    start = timezone.now() + datetime.timedelta(days=1)
    make_notice(salon_a, title="明日から", starts_at=start, ends_at=start + datetime.timedelta(days=2))
    phone = linked_phone(salon_a)
    assert "明日から" not in phone.get(app_url(salon_a, "notices")).content.decode()
    with time_machine.travel(start + datetime.timedelta(minutes=1)):
        assert "明日から" in phone.get(app_url(salon_a, "notices")).content.decode()
    with time_machine.travel(start + datetime.timedelta(days=3)):
        assert "明日から" not in phone.get(app_url(salon_a, "notices")).content.decode()


def test_a_customer_who_links_later_still_sees_an_earlier_broadcast(salon_a):
    make_notice(salon_a, title="先に投稿された全体告知")
    phone = linked_phone(salon_a, salon_a.other_customer)
    assert "先に投稿された全体告知" in phone.get(app_url(salon_a, "notices")).content.decode()


def test_opening_a_notice_marks_it_read_once_whatever_the_phone(salon_a):
    notice = make_notice(salon_a, title="全体")
    first, second = linked_phone(salon_a), linked_phone(salon_a)
    page = first.get(app_url(salon_a, "notices")).content.decode()
    assert "New" in page and "data-unread-badge" in page
    read_url = app_url(salon_a, "notice_read", pk=notice.pk)
    assert first.post(read_url).json() == {"ok": True, "unread": 0}
    first.post(read_url)
    second.post(read_url)
    with scope(salon=salon_a.salon):
        assert NoticeRead.objects.filter(notice=notice).count() == 1
    assert "data-new" not in first.get(app_url(salon_a, "notices")).content.decode()


def test_opening_the_notice_page_itself_does_not_count(salon_a):
    # Only the page's explicit read (sent again after being offline if need be) counts, never a
    # prefetch or a cached copy.
    notice = make_notice(salon_a)
    phone = linked_phone(salon_a)
    assert phone.get(app_url(salon_a, "notice", pk=notice.pk)).status_code == 200
    with scope(salon=salon_a.salon):
        assert unread_count(customer=salon_a.customer) == 1


def test_the_staff_list_shows_views_against_the_possible_audience(salon_a):
    broadcast = make_notice(salon_a, title="全体")
    personal = make_notice(salon_a, customer=salon_a.customer, title="個別")
    phone = linked_phone(salon_a)
    linked_phone(salon_a, salon_a.other_customer)
    phone.post(app_url(salon_a, "notice_read", pk=broadcast.pk))
    response = salon_a.client().get(reverse("staff:notice_list"))
    rows = {notice.pk: notice for notice in response.context["page"].object_list}
    assert rows[broadcast.pk].read_total == 1 and rows[personal.pk].read_total == 0
    assert response.context["audience"] == 2
    body = response.content.decode()
    assert "掲載中" in body and "閲覧数" in body


def test_views_are_counted_among_whom_the_notice_reaches_now_never_above_it(salon_a):
    """Read on two phones, then one customer unlinks: 1 / 1 and the other read said apart, never 2 / 1."""
    broadcast = make_notice(salon_a, title="全体")
    personal = make_notice(salon_a, customer=salon_a.other_customer, title="個別")
    first = linked_phone(salon_a)
    second = linked_phone(salon_a, salon_a.other_customer)
    first.post(app_url(salon_a, "notice_read", pk=broadcast.pk))
    second.post(app_url(salon_a, "notice_read", pk=broadcast.pk))
    second.post(app_url(salon_a, "notice_read", pk=personal.pk))

    def rows():
        response = salon_a.client().get(reverse("staff:notice_list"))
        return {row.pk: row for row in response.context["page"].object_list}, response.content.decode()

    found, _ = rows()
    assert (found[broadcast.pk].read_total, found[broadcast.pk].reach) == (2, 2)
    assert (found[personal.pk].read_total, found[personal.pk].reach) == (1, 1)
    assert second.post(app_url(salon_a, "unlink")).status_code == 302
    found, page = rows()
    assert (
        found[broadcast.pk].read_total,
        found[broadcast.pk].reach,
        found[broadcast.pk].read_elsewhere,
    ) == (1, 1, 1)
    assert (found[personal.pk].read_total, found[personal.pk].reach, found[personal.pk].read_elsewhere) == (
        0,
        0,
        1,
    )
    assert "ほかに連携を解除した 1 人が既読" in page
    assert all(row.read_total <= row.reach for row in found.values())


def notice_form(*, title="お知らせ", body="本文", days=7, **extra):
    now = timezone.localtime()
    return {
        "title": title,
        "body": body,
        "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M"),
        **extra,
    }


def test_staff_post_edit_and_withdraw_and_each_is_audited(salon_a):
    client = salon_a.client()
    form = notice_form(title="年末年始の営業", body="12/31〜1/3はお休みです。")
    assert client.post(reverse("staff:notice_create"), form).status_code == 302
    with scope(salon=salon_a.salon):
        notice = Notice.objects.get()
    assert notice.is_broadcast
    linked_phone(salon_a).post(app_url(salon_a, "notice_read", pk=notice.pk))
    edited = {**form, "title": "年末年始の営業時間"}
    assert client.post(reverse("staff:notice_edit", kwargs={"pk": notice.pk}), edited).status_code == 302
    assert client.post(reverse("staff:notice_withdraw", kwargs={"pk": notice.pk})).status_code == 302
    with scope(salon=salon_a.salon):
        notice.refresh_from_db()
        assert notice.title == "年末年始の営業時間"
        assert notice.state() == "ended"
        assert NoticeRead.objects.filter(notice=notice).count() == 1  # the view count survives the edit
        actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        notices_actions.NOTICE_CREATE,
        notices_actions.NOTICE_UPDATE,
        notices_actions.NOTICE_WITHDRAW,
    } <= actions


def test_a_one_to_one_notice_is_written_from_the_customers_page(salon_a):
    client = salon_a.client()
    page = client.get(
        reverse("staff:customer_notice_create", kwargs={"pk": salon_a.customer.pk})
    ).content.decode()
    assert (
        "来店のお礼" in page and "森川 紗季様、本日はサロンAにご来店いただきありがとうございました。" in page
    )
    # Says whom it reaches, with no choice to make: not linked yet, so "once they do".
    assert "森川 紗季様だけに表示されます。" in page and "アプリをまだ連携していないため" in page
    assert 'type="checkbox"' not in page
    linked_phone(salon_a)
    page = client.get(reverse("staff:customer_notice_create", kwargs={"pk": salon_a.customer.pk}))
    assert "森川 紗季様だけに、アプリで表示されます。" in page.content.decode()
    form = notice_form(title="ありがとうございました", body="またお待ちしております")
    posted = client.post(reverse("staff:customer_notice_create", kwargs={"pk": salon_a.customer.pk}), form)
    assert posted["Location"] == reverse("staff:customer_detail", kwargs={"pk": salon_a.customer.pk})
    with scope(salon=salon_a.salon):
        assert Notice.objects.get().customer == salon_a.customer


def test_a_notice_to_everyone_says_how_many_it_reaches_and_posts_without_a_tick(salon_a):
    client = salon_a.client()
    linked_phone(salon_a)
    linked_phone(salon_a, salon_a.other_customer)
    page = client.get(reverse("staff:notice_create")).content.decode()
    assert "アプリを連携しているお客様全員に表示されます（現在 2 人、これから連携する方にも）。" in page
    assert 'type="checkbox"' not in page
    posted = client.post(reverse("staff:notice_create"), notice_form(title="臨時休業"))
    assert posted["Location"] == reverse("staff:notice_list")
    with scope(salon=salon_a.salon):
        assert Notice.objects.get().is_broadcast


def test_bad_periods_are_refused_in_japanese_and_keep_the_text(salon_a):
    client = salon_a.client()
    form = notice_form(body="本文は残ります", days=-1)
    body = client.post(reverse("staff:notice_create"), form).content.decode()
    assert "掲載終了は掲載開始より後にしてください。" in body
    assert "本文は残ります" in body


def test_the_preview_shows_the_message_as_the_phone_will(salon_a):
    form = notice_form(body="1行目\n<b>太字にはならない</b> https://example.jp/", preview="1")
    body = salon_a.client().post(reverse("staff:notice_create"), form).content.decode()
    assert "1行目<br>" in body
    assert "&lt;b&gt;太字にはならない&lt;/b&gt;" in body
    assert '<a href="https://example.jp/" rel="nofollow">' in body
    with scope(salon=salon_a.salon):
        assert not Notice.objects.exists()


def test_notice_pages_make_the_same_number_of_queries_whatever_the_data_size(salon_a):
    phone = linked_phone(salon_a)
    make_notice(salon_a)

    def count(client, url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    urls = [
        (phone, app_url(salon_a, "notices")),
        (phone, app_url(salon_a)),
        (salon_a.client(), reverse("staff:notice_list")),
    ]
    small = [count(client, url) for client, url in urls]
    for i in range(8):
        notice = make_notice(salon_a, title=f"お知らせ{i}", customer=salon_a.customer if i % 2 else None)
        phone.post(app_url(salon_a, "notice_read", pk=notice.pk))
    linked_phone(salon_a, salon_a.other_customer)
    assert [count(client, url) for client, url in urls] == small


@pytest.mark.django_db(transaction=True)
@postgres_only
def test_two_phones_marking_at_once_count_one_read(salon_a):
    notice = make_notice(salon_a)

    def mark():
        with scope(salon=salon_a.salon):
            for _ in range(5):
                notice_mark_read(notice=notice, customer=salon_a.customer)

    _results, errors = race(mark, 2)
    assert errors == []
    with scope(salon=salon_a.salon):
        assert NoticeRead.objects.filter(notice=notice).count() == 1


def test_a_notice_withdrawn_right_after_it_starts_has_ended_at_once(salon_a):
    from notices.services import notice_withdraw

    notice = make_notice(salon_a, starts_at=timezone.now())
    with scope(salon=salon_a.salon):
        notice = notice_withdraw(notice=notice, actor=salon_a.owner.user)
        assert notice.state() == "ended"
