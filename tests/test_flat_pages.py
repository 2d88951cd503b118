"""Pages cost the same however much the salon has: bounded rows, constant queries, indexes that
serve the list orders and the search, images revalidated instead of sent again, pages compressed."""

import datetime
import gzip
import io
import uuid

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from audit.models import AuditEntry
from customers import actions as customers_actions
from kartes.models import ImageAsset, KarteItem
from notices.models import NoticeRead

from .factories import make_karte, make_notice
from .linking_helpers import app_url, linked_phone
from .racing import postgres_only


def _audit_entries(world, count):
    with scope(salon=world.salon):
        AuditEntry.objects.bulk_create(
            [
                AuditEntry(
                    salon=world.salon,
                    actor=world.owner.user,
                    actor_name="オーナー",
                    action=customers_actions.CUSTOMER_UPDATE,
                    target_type="customers.customer",
                    target_id=str(i),
                    summary=f"記録 {i:03d}",
                )
                for i in range(count)
            ]
        )


def test_the_activity_log_pages_by_position_without_counting_history(salon_a):
    _audit_entries(salon_a, 120)
    client = salon_a.client()
    first = client.get(reverse("staff:audit_list"))
    entries = first.context["entries"]
    assert len(entries) == 50 and entries[0].summary == "記録 119"
    assert first.context["newer"] is None and first.context["older"] == entries[-1].pk
    second = client.get(reverse("staff:audit_list"), {"before": first.context["older"]})
    assert second.context["entries"][0].summary == "記録 069"
    third = client.get(reverse("staff:audit_list"), {"before": second.context["older"]})
    assert len(third.context["entries"]) == 20 and third.context["older"] is None
    back = client.get(reverse("staff:audit_list"), {"after": third.context["newer"]})
    assert [e.pk for e in back.context["entries"]] == [e.pk for e in second.context["entries"]]
    assert "古い記録" in first.content.decode() and "新しい記録" in second.content.decode()
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("staff:audit_list"), {"before": first.context["older"]})
    counted = [query["sql"] for query in captured.captured_queries if "COUNT(" in query["sql"].upper()]
    assert not any("audit_auditentry" in sql for sql in counted)  # the staff bar's bounded badges only
    assert client.get(reverse("staff:audit_list"), {"before": "nonsense"}).status_code == 200


def test_the_notice_list_counts_reads_of_its_own_page_only(salon_a):
    notices = [make_notice(salon_a, title=f"お知らせ {i}") for i in range(3)]
    phone = linked_phone(salon_a)
    client = salon_a.client()

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("staff:notice_list")).status_code == 200
        return len(captured)

    before = queries()
    for notice in notices:
        phone.post(app_url(salon_a, "notice_read", pk=notice.pk))
    assert queries() == before
    rows = client.get(reverse("staff:notice_list")).context["page"].object_list
    assert [row.read_total for row in rows] == [1, 1, 1]
    with scope(salon=salon_a.salon):
        assert NoticeRead.objects.count() == 3


@pytest.mark.parametrize("name", ["home", "notices"])
def test_the_phone_lists_thirty_at_a_time_with_show_more(salon_a, name):
    if name == "home":
        for day in range(35):
            make_karte(salon_a, date=datetime.date(2026, 1, 1) + datetime.timedelta(days=day))
        row = 'class="karte-card"'
    else:
        for i in range(35):
            make_notice(salon_a, title=f"お知らせ {i}")
        row = 'class="notice-card__title"'
    phone = linked_phone(salon_a)
    first = phone.get(app_url(salon_a, name)).content.decode()
    assert first.count(row) == 30
    assert "もっと見る" in first and "?page=2" in first
    second = phone.get(app_url(salon_a, name), {"page": "2"}).content.decode()
    assert second.count(row) == 5 and "もっと見る" not in second
    assert phone.get(app_url(salon_a, name), {"page": "x"}).status_code == 200


def test_the_first_thumbnail_is_fetched_first_and_the_rest_lazily(salon_a):
    for day in range(3):
        make_karte(salon_a, public_photo=True, date=datetime.date(2026, 1, 1) + datetime.timedelta(days=day))
    page = linked_phone(salon_a).get(app_url(salon_a, "home")).content.decode()
    assert page.count('fetchpriority="high"') == 1 and page.count('loading="lazy"') == 2


def _photo(world):
    karte = make_karte(world, public_photo=True)
    with scope(salon=world.salon):
        return KarteItem.objects.get(karte=karte, kind="photo")


def test_photos_are_revalidated_by_their_content_hash(salon_a):
    item = _photo(salon_a)
    phone = linked_phone(salon_a)
    url = app_url(salon_a, "image", pk=item.image_id, size="small")
    first = phone.get(url)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    with scope(salon=salon_a.salon):
        assert first["ETag"].strip('"') == ImageAsset.objects.get(pk=item.image_id).small_sha256[:32]
    again = phone.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert phone.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    staff = salon_a.client().get(
        reverse("staff:image", kwargs={"pk": item.image_id, "size": "small"}),
        HTTP_IF_NONE_MATCH=first["ETag"],
    )
    assert staff.status_code == 304
    # Unpublished: the permission check comes first, whatever the phone holds.
    salon_a.client().post(reverse("staff:item_publish", args=[item.pk]), {"public": "0"})
    assert phone.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 404


def test_pages_are_compressed_and_photos_are_not(salon_a):
    item = _photo(salon_a)
    phone = linked_phone(salon_a)
    page = phone.get(app_url(salon_a, "home"), HTTP_ACCEPT_ENCODING="gzip, br")
    assert page["Content-Encoding"] == "gzip"
    assert "森川" in gzip.decompress(page.content).decode()
    photo = phone.get(app_url(salon_a, "image", pk=item.image_id, size="small"), HTTP_ACCEPT_ENCODING="gzip")
    assert not photo.has_header("Content-Encoding")


def _plan(sql, params, *, ordered=False):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # as if the table were as big as a salon's can be
        if ordered:
            # The list is read in index order, never sorted: whatever statistics the few test rows
            # left, only an index that yields that order can serve it.
            cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@postgres_only
def test_the_list_orders_and_the_search_are_served_by_indexes(salon_a):
    """What the indexes can serve (with sequential scans off, as in a salon of 50,000 customers;
    with a few rows the planner rightly reads the table). make bench measures them at size."""
    from customers.models import Customer

    with scope(salon=salon_a.salon):
        by_kana = Customer.objects.filter(archived_at__isnull=True).order_by("kana_sort", "id")[:50]
        sql, params = by_kana.query.sql_with_params()
        assert "customer_active_kana" in _plan(sql, params, ordered=True)
    # The search's partial matches, whatever else the query asks.
    assert "customer_search_trgm" in _plan(
        "SELECT id FROM customers_customer WHERE search_text LIKE %s", ["%やまだ%"]
    )
    with scopes_disabled():  # the salon's own filter aside: with a few rows, its index wins
        short = Customer.objects.search("山田", salon=salon_a.salon)
        sql, params = short.values("pk").query.sql_with_params()
        assert "customer_search_grams" in _plan(sql, params)
    assert "customer_phone_trgm" in _plan(
        "SELECT id FROM customers_customer WHERE phone_digits LIKE %s", ["%0901234%"]
    )


def test_icons_are_drawn_once_per_look_and_cached_for_good(salon_a, monkeypatch):
    import re

    from django.core.cache import cache

    from salons import icons

    cache.clear()  # icons drawn by earlier tests in this process
    drawn = []
    real = icons.salon_icon_png

    def draw(salon, size):
        drawn.append(size)
        return real(salon, size)

    monkeypatch.setattr(icons, "salon_icon_png", draw)
    phone = linked_phone(salon_a)

    def icon_link() -> str:
        found = re.search(
            r'<link rel="icon" href="([^"]+)"', phone.get(app_url(salon_a, "home")).content.decode()
        )
        assert found
        return found.group(1)

    url = icon_link()
    assert "?v=" in url
    for _ in range(3):
        response = phone.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert drawn == [192]
    salon_a.salon.theme_color = "#1f6feb"
    salon_a.salon.save()
    assert icon_link() != url  # a new colour is a new address, so phones fetch the new icon
    manifest = phone.get(reverse("customer_app:manifest", kwargs={"slug": salon_a.salon.slug})).json()
    assert all("?v=" in icon["src"] for icon in manifest["icons"])


def test_each_slot_gets_a_copy_of_its_size(salon_a):
    import re

    from PIL import Image

    from .factories import image_bytes

    with scope(salon=salon_a.salon):
        from kartes.models import ItemKind
        from kartes.services import ItemInput, image_asset_create, karte_create

        asset, _ = image_asset_create(
            salon=salon_a.salon,
            user=salon_a.owner.user,
            upload_key=uuid.uuid4(),
            data=image_bytes(size=(3000, 2000)),
            kind="photo",
        )
        karte = karte_create(
            salon=salon_a.salon,
            actor=salon_a.owner.user,
            customer=salon_a.customer,
            treatment_date=datetime.date(2026, 11, 1),
            staff=salon_a.stylist,
            menu="カット",
            items=[ItemInput(kind=ItemKind.PHOTO, image=asset, is_public=True)],
        )
    phone = linked_phone(salon_a)
    home = phone.get(app_url(salon_a, "home")).content.decode()
    assert re.search(r'srcset="[^"]+/thumb/ 192w, [^"]+/small/ 320w" sizes="72px"', home)
    page = phone.get(app_url(salon_a, "karte", pk=karte.pk)).content.decode()
    assert re.search(r'src="[^"]+/medium/" srcset="[^"]+/medium/ 800w, [^"]+/large/ 1600w"', page)
    assert 'fetchpriority="high"' in page  # the first photo is what the page is about
    for size, edge in (("thumb", 192), ("small", 320), ("medium", 800), ("large", 1600)):
        served = phone.get(app_url(salon_a, "image", pk=asset.pk, size=size))
        assert max(Image.open(io.BytesIO(served.getvalue())).size) == edge
    # A photo stored before the smaller sizes existed is sent with the next size up.
    with scope(salon=salon_a.salon):
        ImageAsset.objects.filter(pk=asset.pk).update(thumb="", medium="")
    older = phone.get(app_url(salon_a, "image", pk=asset.pk, size="thumb"))
    assert max(Image.open(io.BytesIO(older.getvalue())).size) == 320


def test_photos_stored_before_the_new_sizes_get_them(salon_a, own_storage):
    from django.core.management import call_command

    item = _photo(salon_a)
    with scope(salon=salon_a.salon):
        asset = ImageAsset.objects.get(pk=item.image_id)
        old_thumb, old_medium = asset.thumb.name, asset.medium.name
        asset.thumb.storage.delete(old_thumb)
        asset.medium.storage.delete(old_medium)
        ImageAsset.objects.filter(pk=asset.pk).update(thumb="", medium="", thumb_sha256="", medium_sha256="")
    call_command("fill_display_sizes")
    call_command("fill_display_sizes")  # nothing left to do the second time
    with scope(salon=salon_a.salon):
        asset.refresh_from_db()
        assert asset.thumb.name and asset.medium.name and asset.thumb_sha256
    call_command("verify_media")


def test_the_customer_list_counts_only_so_far(salon_a, monkeypatch):
    from staff.views import customers as customer_views

    from .factories import make_customer

    for i in range(6):
        make_customer(salon_a, f"顧客 {i}", "こきゃく")
    monkeypatch.setattr(customer_views, "CUSTOMER_COUNT_CAP", 4)
    monkeypatch.setattr(customer_views, "CUSTOMERS_PER_PAGE", 2)
    response = salon_a.client().get(reverse("staff:customer_list"))
    page = response.context["page"]
    assert page.paginator.capped and page.paginator.num_pages == 2
    body = response.content.decode()
    assert "4 人を超えています" in body and "2+" in body
    monkeypatch.setattr(customer_views, "CUSTOMER_COUNT_CAP", 1000)
    response = salon_a.client().get(reverse("staff:customer_list"))
    assert not response.context["page"].paginator.capped and "8 人" in response.content.decode()


def test_the_unread_badge_stops_counting_at_99_plus(salon_a):
    from notices.selectors import UNREAD_CAP

    for i in range(UNREAD_CAP + 2):
        make_notice(salon_a, title=f"お知らせ {i}")
    page = linked_phone(salon_a).get(app_url(salon_a, "home")).content.decode()
    assert ">99+</span>" in page


def test_search_results_keep_their_order_and_pages(salon_a, monkeypatch):
    from staff.views import customers as customer_views

    from .factories import make_customer

    for name, kana in (
        ("山本 花", "やまもと はな"),
        ("山田 葵", "やまだ あおい"),
        ("山口 結", "やまぐち ゆい"),
    ):
        make_customer(salon_a, name, kana)
    monkeypatch.setattr(customer_views, "CUSTOMERS_PER_PAGE", 2)
    client = salon_a.client()
    first = client.get(reverse("staff:customer_list"), {"q": "やま"})
    assert [c.name for c in first.context["page"].object_list] == ["山口 結", "山田 葵"]
    assert first.context["page"].paginator.count == 3
    second = client.get(reverse("staff:customer_list"), {"q": "やま", "page": "2"})
    assert [c.name for c in second.context["page"].object_list] == ["山本 花"]
    assert all(hasattr(c, "has_app") for c in first.context["page"].object_list)


def _tables(query: dict) -> set[str]:
    import re

    return set(re.findall(r'(?:FROM|JOIN) "(\w+)"', query["sql"]))


def test_a_staff_request_reads_its_session_login_membership_and_salon_in_two_queries(salon_a):
    """What every staff page pays before its view runs (each query is a round trip to the server)."""
    client = salon_a.client()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("staff:customer_list")).status_code == 200
    first, second = captured.captured_queries[:2]
    assert _tables(first) == {"django_session"}
    assert _tables(second) == {"auth_user", "salons_staffmember", "salons_salon"}
    assert not any("salons_staffmember" in _tables(query) for query in captured.captured_queries[2:])


def test_a_deactivated_staff_member_gets_no_salon_from_the_combined_read(salon_a):
    client = salon_a.client()
    with scopes_disabled():
        salon_a.owner.is_active = False
        salon_a.owner.save(update_fields=["is_active"])
    assert client.get(reverse("staff:customer_list")).status_code == 403


def test_a_phone_request_finds_its_salon_through_its_device_in_one_query(salon_a):
    make_karte(salon_a, public_text=True)
    phone = linked_phone(salon_a)
    with CaptureQueriesContext(connection) as captured:
        assert phone.get(app_url(salon_a)).status_code == 200
    assert _tables(captured.captured_queries[0]) == {"linking_device", "salons_salon", "customers_customer"}
    assert not any(_tables(query) == {"salons_salon"} for query in captured.captured_queries)


@postgres_only
def test_what_the_log_says_about_one_customer_is_read_from_its_index(salon_a):
    """The customer's export and erasure read the log entries about their records: from the
    (salon, target) index, not the salon's whole log (137 ms → 3 ms at 500,000 entries)."""
    from privacy.services import _audit_about

    with scope(salon=salon_a.salon):
        sql, params = _audit_about(salon_a.customer).order_by().query.sql_with_params()
    assert "audit_target" in _plan(sql, params)


def test_the_staff_bars_two_counts_are_read_in_one_query(salon_a):
    client = salon_a.client()
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("staff:customer_list"))
    badges = [
        query["sql"]
        for query in captured.captured_queries
        if "counselling_sheetresponse" in query["sql"] or "appointments_appointmentrequest" in query["sql"]
    ]
    assert len(badges) == 1
    assert "counselling_sheetresponse" in badges[0] and "appointments_appointmentrequest" in badges[0]


@postgres_only
@pytest.mark.unpooled
@pytest.mark.skipif(django_settings.DB_POOLED, reason="a pool in transaction mode keeps none")
def test_a_page_asked_for_again_runs_prepared_statements(salon_a, settings):
    settings.PAGE_KEEP = False  # drawn each time, not given from a kept copy (common.pagekeep)
    client = salon_a.client()
    for _ in range(6):
        assert client.get(reverse("staff:customer_list")).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        prepared = cursor.fetchone()[0]
    assert prepared >= 3  # the session, the login and the list's own rows at least
