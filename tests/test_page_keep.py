"""Whole pages kept for a repeated request (common.pagekeep): given again without drawing them
while nothing they were read from changed, drawn afresh as soon as anything did — a change made by
another request, by code outside any request, by another process mid-drawing — and never given to
another session, another phone, another language, or after a minute.

The whole suite runs with pages kept (tests/conftest.py), on the in-memory cache of its single
process; production keeps the versions in Redis."""

import datetime

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from common import pagekeep
from kartes.services import item_set_public

from .factories import make_karte
from .linking_helpers import app_url, linked_phone


def _customer_page(world):
    return reverse("staff:customer_detail", kwargs={"pk": world.customer.pk})


def _kept(client, url) -> str:
    """The first drawing sets the CSRF cookie, the second notes the tables read, the third is kept:
    the fourth answer must come from the kept page. Its one query, for a staff member, reads the
    session (its content is part of the key); a phone's makes none."""
    client.get(url)
    client.get(url)
    first = client.get(url)
    assert first.status_code == 200
    second = _given_kept(client, url)
    assert second.content == first.content
    return second.content.decode()


def _given_kept(client, url):
    """An answer from the kept page: it says its Age, and its one query, for a staff member, reads
    the session (whose content is part of the key); a phone's makes none."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert "Age" in response, "drawn, not given from the kept page"
    assert len(queries) <= 1
    assert all('FROM "django_session"' in query["sql"] for query in queries.captured_queries)
    return response


def _queried_tables(client, url) -> str:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return " ".join(query["sql"] for query in queries.captured_queries)


def test_a_staff_page_asked_again_is_given_from_the_kept_page(salon_a):
    make_karte(salon_a, text="初回のカルテ")
    client = salon_a.client()
    page = _kept(client, _customer_page(salon_a))
    assert "初回のカルテ" in page


def test_a_change_through_a_request_shows_at_once(salon_a):
    client = salon_a.client()
    url = _customer_page(salon_a)
    client.get(url)
    _kept(client, url)
    response = client.post(
        reverse("staff:customer_edit", kwargs={"pk": salon_a.customer.pk}),
        {"name": "森川 紗季", "kana": "もりかわ さき", "phone": "090-9999-0000", "memo": "新しいメモ"},
    )
    assert response.status_code == 302
    assert "090-9999-0000" in client.get(url).content.decode()


def test_a_change_made_outside_any_request_shows_at_once(salon_a):
    """As a task or a management command would: outside a salon's scope, so every salon's pages
    read from the table are drawn again."""
    client = salon_a.client()
    url = _customer_page(salon_a)
    client.get(url)
    _kept(client, url)
    with scopes_disabled():
        type(salon_a.customer).objects.filter(pk=salon_a.customer.pk).update(memo="作業が書いたメモ")
    assert "作業が書いたメモ" in client.get(url).content.decode()


def test_another_salons_change_leaves_the_kept_page(salon_a, salon_b):
    client = salon_a.client()
    url = _customer_page(salon_a)
    _kept(client, url)
    with scope(salon=salon_b.salon):
        salon_b.customer.memo = "サロンBのメモ"
        salon_b.customer.save()
    assert _given_kept(client, url).status_code == 200


class _Drawing:
    """A page's drawing behind the real middleware: reads the customers, may write, and may see
    another process commit a change while it draws."""

    def __init__(self, world):
        self.world = world
        self.drawn = 0
        self.commit_elsewhere = False
        self.write = False

    def __call__(self, request):
        self.drawn += 1
        with scope(salon=self.world.salon):
            names = [customer.name for customer in type(self.world.customer).objects.all()]
            if self.commit_elsewhere:
                pagekeep.moved(self.world.salon.pk, {"customers_customer"})  # another process's commit
            if self.write:
                type(self.world.customer).objects.filter(pk=self.world.customer.pk).update(memo="見た")
        request.salon = self.world.salon
        return HttpResponse(" ".join(names))


def _ask(middleware, world):
    request = RequestFactory().get("/customers/", HTTP_COOKIE="karte_device=abc")
    return middleware(request)


def test_a_change_committed_while_the_page_is_drawn_makes_the_kept_copy_unused(salon_a):
    drawing = _Drawing(salon_a)
    middleware = pagekeep.PageKeepMiddleware(drawing)
    _ask(middleware, salon_a)  # learns which tables the page reads
    _ask(middleware, salon_a)  # kept, with the versions read before drawing
    _ask(middleware, salon_a)
    assert drawing.drawn == 2
    pagekeep.moved(salon_a.salon.pk, {"customers_customer"})  # a change: the page is drawn again…
    drawing.commit_elsewhere = True
    _ask(middleware, salon_a)  # …and mid-drawing, another change commits
    assert drawing.drawn == 3
    drawing.commit_elsewhere = False
    _ask(middleware, salon_a)  # so the copy kept from that drawing is not given
    assert drawing.drawn == 4
    _ask(middleware, salon_a)
    assert drawing.drawn == 4


def test_a_request_that_writes_is_never_answered_from_a_kept_page(salon_a):
    """A phone's first look at a notice marks it read, a session's use is noted: such a request
    is drawn each time, so its write is never skipped."""
    drawing = _Drawing(salon_a)
    drawing.write = True
    middleware = pagekeep.PageKeepMiddleware(drawing)
    for _ in range(3):
        assert _ask(middleware, salon_a).status_code == 200
    assert drawing.drawn == 3


def test_a_login_in_another_salon_leaves_the_kept_page(salon_a, salon_b):
    """A login's writes (last login, its line in 「ログイン中の端末」) are its own salon's."""
    client = salon_a.client()
    url = _customer_page(salon_a)
    _kept(client, url)
    login = {"username": "salon-b-owner", "password": "pw-owner-123"}
    assert type(client)().post(reverse("login"), login).status_code == 302
    _given_kept(client, url)


def test_kept_pages_are_never_given_to_another_session_or_salon(salon_a, salon_b):
    owner, stylist, other = salon_a.client(), salon_a.client(salon_a.stylist), salon_b.client()
    url = _customer_page(salon_a)
    owner.get(url)
    owner.get(url)
    assert stylist.get(url).status_code == 200  # drawn for the stylist's own session
    assert other.get(url).status_code == 404
    anonymous = type(owner)()
    assert anonymous.get(url).status_code == 302


def test_a_session_logged_out_elsewhere_is_not_given_its_kept_page(salon_a):
    client = salon_a.client()
    url = _customer_page(salon_a)
    client.get(url)
    client.get(url)
    with scopes_disabled():
        Session.objects.all().delete()  # 「ログアウト」 of every device, or the session expiring
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_deactivated_staff_member_is_not_given_a_kept_page(salon_a):
    client = salon_a.client(salon_a.stylist)
    url = _customer_page(salon_a)
    client.get(url)
    client.get(url)
    with scope(salon=salon_a.salon):
        salon_a.stylist.is_active = False
        salon_a.stylist.save()
    assert client.get(url).status_code != 200


def test_a_page_with_a_message_is_drawn_each_time(salon_a):
    client = salon_a.client()
    url = _customer_page(salon_a)
    client.get(url)
    client.get(url)
    client.post(
        reverse("staff:customer_edit", kwargs={"pk": salon_a.customer.pk}),
        {"name": "森川 紗季", "kana": "もりかわ さき", "phone": "090-1111-2222", "memo": "メモ"},
    )
    first = client.get(url).content.decode()
    second = client.get(url).content.decode()
    assert 'class="message message--success"' in first  # the message is shown once…
    assert 'class="message' not in second  # …and the page after it no longer has it


def test_the_language_is_part_of_the_key(salon_a):
    client = salon_a.client()
    url = _customer_page(salon_a)
    client.get(url)
    assert '<html lang="ja">' in client.get(url).content.decode()
    client.cookies["django_language"] = "en"
    assert '<html lang="en">' in client.get(url).content.decode()


def test_a_kept_page_is_given_for_a_minute_at_most(salon_a):
    """Whatever is not in the database (the clock, a file) is at most a minute behind. After the
    minute the page is drawn again and kept again at once: its tables are known."""
    client = salon_a.client()
    url = _customer_page(salon_a)
    start = datetime.datetime.now(datetime.UTC)
    with time_machine.travel(start, tick=False):
        _kept(client, url)
    with time_machine.travel(start + datetime.timedelta(seconds=59), tick=False):
        _given_kept(client, url)
    with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
        assert "kartes_karte" in _queried_tables(client, url)  # the session's use is noted, a write
        drawn = client.get(url)
        assert drawn.status_code == 200 and "Age" not in drawn
        assert _given_kept(client, url).content == drawn.content


def test_the_phone_loses_an_unpublished_photo_from_its_kept_pages(salon_a):
    karte = make_karte(salon_a, public_photo=True)
    with scope(salon=salon_a.salon):
        photo = karte.items.get(kind="photo")
    phone = linked_phone(salon_a)
    url = app_url(salon_a, "karte", pk=karte.pk)
    phone.get(url)
    assert str(photo.image_id) in _kept(phone, url)
    with scope(salon=salon_a.salon):
        item_set_public(item=photo, actor=salon_a.owner.user, public=False)
    assert str(photo.image_id) not in phone.get(url).content.decode()


def test_another_phone_never_gets_a_kept_page(salon_a):
    karte = make_karte(salon_a, public_text=True, text="森川さんの公開メモ")
    phone = linked_phone(salon_a)
    url = app_url(salon_a, "karte", pk=karte.pk)
    phone.get(url)
    phone.get(url)
    other = linked_phone(salon_a, salon_a.other_customer)
    assert "森川さんの公開メモ" not in other.get(url).content.decode()
    assert "森川さんの公開メモ" not in type(phone)().get(url).content.decode()


@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        ('SELECT "a"."id" FROM "customers_customer" a INNER JOIN "salons_salon" ON 1', set()),
        ('INSERT INTO "kartes_karte" ("x") VALUES (%s)', {"kartes_karte"}),
        ('INSERT OR IGNORE INTO "huey_task" ("x") VALUES (1)', {"huey_task"}),
        ('UPDATE "django_session" SET "x" = 1', {"django_session"}),
        ('DELETE FROM "kartes_item" WHERE "id" IN (SELECT "id" FROM "kartes_karte")', {"kartes_item"}),
        ('WITH moved AS (UPDATE "push_delivery" SET x = 1 RETURNING id) SELECT 1', {"push_delivery"}),
        ('SELECT "id" FROM "push_delivery" LIMIT 5 FOR UPDATE SKIP LOCKED', set()),
        ("SAVEPOINT s1", set()),
        ("RELEASE SAVEPOINT s1", set()),
        ('TRUNCATE "kartes_karte"', None),
        ('ALTER TABLE "kartes_karte" ADD CONSTRAINT x', None),
        ("COPY kartes_karte FROM STDIN", None),
    ],
)
def test_what_a_statement_writes(sql, tables):
    assert pagekeep.tables_written(sql) == tables


def test_a_change_made_while_the_cache_was_out_drops_every_kept_page(salon_a, monkeypatch):
    """The write goes on while the cache cannot be told of it; once it answers again, nothing kept
    before is given."""
    client = salon_a.client()
    url = _customer_page(salon_a)
    _kept(client, url)

    def cache_out(*args, **kwargs):
        raise ConnectionError("the cache is out")

    monkeypatch.setattr(caches["default"], "set_many", cache_out)  # in this process only
    with scope(salon=salon_a.salon):
        salon_a.customer.memo = "停止中のメモ"
        salon_a.customer.save()
    monkeypatch.undo()
    assert "停止中のメモ" in client.get(url).content.decode()
