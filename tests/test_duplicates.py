"""「重複の可能性」: records that share a mobile number, an email, or name and furigana (with the
birthday, a strong match) are offered as one pair with the reason; found on save, after an import
and by the nightly sweep; set aside for good by the owner; never across salons."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from customers.duplicates import MAX_GROUP, duplicates_refresh_salon, open_pairs, pairs_of
from customers.models import Customer, DuplicatePair
from customers.services import customer_archive, customer_create, customer_update


def _add(world, **data):
    with scope(salon=world.salon):
        return customer_create(salon=world.salon, actor=None, data={"kana": "たなか はなこ", **data})


def _reasons(world, customer):
    with scope(salon=world.salon):
        return {other.pk: pair.reasons for pair, other in pairs_of(customer)}


def test_each_reason_is_found_and_named(salon_a):
    first = _add(salon_a, name="田中 花子", phone="090-1234-5678", email="Hanako@Example.jp")
    by_phone = _add(salon_a, name="田中 はな", kana="たなか はな", phone="09012345678")
    by_email = _add(salon_a, name="山田 花子", kana="やまだ はなこ", email=" hanako@example.jp ")
    birthday = datetime.date(1990, 4, 1)
    first_born = _add(salon_a, name="鈴木 彩", kana="すずき あや", birthday=birthday)
    same_born = _add(salon_a, name="鈴木　彩", kana="スズキ アヤ", birthday=birthday)  # width and kana folded
    name_only = _add(salon_a, name="田中花子", kana="タナカ ハナコ", birthday=datetime.date(1985, 1, 1))
    assert _reasons(salon_a, first) == {
        by_phone.pk: ["phone"],
        by_email.pk: ["email"],
        name_only.pk: ["name"],  # the name alone: weaker, and still shown
    }
    assert _reasons(salon_a, same_born) == {first_born.pk: ["name_birthday"]}
    with scope(salon=salon_a.salon):
        strong = {(pair.first_id, pair.second_id): pair.strong for pair in DuplicatePair.objects.all()}
    assert strong[(first.pk, name_only.pk)] is False and strong[(first_born.pk, same_born.pk)] is True
    # A number too short to be a mobile one, or nothing typed, is no reason.
    landline_a = _add(salon_a, name="甲", kana="こう", phone="1234")
    _add(salon_a, name="乙", kana="おつ", phone="1234")
    assert _reasons(salon_a, landline_a) == {}


def test_a_pair_follows_the_records_and_once_set_aside_stays_aside(salon_a):
    first = _add(salon_a, name="田中 花子", phone="090-1234-5678")
    second = _add(salon_a, name="別人 さん", kana="べつじん", phone="090-1234-5678")
    assert _reasons(salon_a, first) == {second.pk: ["phone"]}
    with scope(salon=salon_a.salon):
        customer_update(customer=second, actor=None, data={"phone": "080-9999-0000"})
    assert _reasons(salon_a, first) == {}  # a new phone: no longer alike
    with scope(salon=salon_a.salon):
        customer_update(customer=second, actor=None, data={"phone": "090-1234-5678"})
        [(pair, _other)] = pairs_of(first)
    owner = salon_a.client(salon_a.owner)
    owner.post(reverse("staff:duplicate_dismiss", kwargs={"pk": pair.pk}))
    with scope(salon=salon_a.salon):
        customer_update(customer=second, actor=None, data={"email": "x@example.jp"})
        duplicates_refresh_salon(salon_a.salon)
    assert _reasons(salon_a, first) == {}  # set aside for good, whatever is saved or swept later
    with scope(salon=salon_a.salon):
        assert DuplicatePair.objects.get(pk=pair.pk).dismissed_by == salon_a.owner.user
        customer_archive(customer=first, actor=None)
        assert not open_pairs().exists()


def test_imports_and_the_nightly_sweep_find_pairs_without_comparing_every_record(salon_a):
    from customers.tasks import duplicates_sweep

    # Written around the services (as an import's bulk insert or the migration's key fill does).
    rows = [
        Customer(salon=salon_a.salon, name=f"顧客 {n}", kana=f"こきゃく {n}", phone=f"070-0000-{n:04d}")
        for n in range(30)
    ]
    rows += [Customer(salon=salon_a.salon, name="再登録", kana="さいとうろく", phone="070-0000-0007")]
    # One number on more than MAX_GROUP records (the salon's own, typed for everyone): no reason.
    rows += [
        Customer(salon=salon_a.salon, name=f"共有 {n}", kana=f"きょうゆう {n}", phone="03-1234-5678")
        for n in range(MAX_GROUP + 1)
    ]
    for row in rows:
        row.refresh_search_fields()
    with scope(salon=salon_a.salon):
        Customer.objects.bulk_create(rows)
        assert not DuplicatePair.objects.exists()
    duplicates_sweep.call_local()
    with scope(salon=salon_a.salon):
        pairs = [(pair.first.name, pair.second.name, pair.reasons) for pair in open_pairs()]
    assert pairs == [("顧客 7", "再登録", ["phone"])]


def test_another_salons_customer_is_never_a_duplicate(salon_a, salon_b):
    ours = _add(salon_a, name="田中 花子", phone="090-1234-5678", email="h@example.jp")
    _add(salon_b, name="田中 花子", phone="090-1234-5678", email="h@example.jp")
    with scope(salon=salon_b.salon):
        duplicates_refresh_salon(salon_b.salon)
    assert _reasons(salon_a, ours) == {}
    with scope(salon=salon_b.salon):
        assert DuplicatePair.objects.count() == 0


def test_staff_see_the_pairs_with_why_and_only_the_owner_sets_one_aside(salon_a):
    first = _add(salon_a, name="田中 花子", phone="090-1234-5678")
    second = _add(salon_a, name="田中 はな", kana="たなか はな", phone="090-1234-5678")
    stylist = salon_a.client(salon_a.stylist)
    listing = stylist.get(reverse("staff:customer_list")).content.decode()
    assert "重複の可能性: 1組" in listing
    page = stylist.get(reverse("staff:duplicate_list")).content.decode()
    assert "田中 花子" in page and "田中 はな" in page and "携帯電話が同じ" in page
    assert "別人として扱う" not in page  # the owner's decision
    detail = stylist.get(reverse("staff:customer_detail", kwargs={"pk": first.pk})).content.decode()
    assert "重複の可能性" in detail and f"/customers/{second.pk}/" in detail
    with scope(salon=salon_a.salon):
        [(pair, _other)] = pairs_of(first)
    dismiss = reverse("staff:duplicate_dismiss", kwargs={"pk": pair.pk})
    assert stylist.post(dismiss).status_code == 403
    owner = salon_a.client(salon_a.owner)
    done = owner.post(dismiss, {"next": "https://evil.example/"}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("staff:duplicate_list")
    assert "別人として扱います" in done.content.decode()
    assert "重複の可能性" not in owner.get(reverse("staff:customer_list")).content.decode()
    assert owner.post(dismiss).status_code == 404  # already set aside


def test_the_pair_list_reads_the_same_few_queries_however_many_pairs(salon_a):
    owner = salon_a.client(salon_a.owner)
    url = reverse("staff:duplicate_list")

    def pairs(start, count):
        for n in range(start, start + count):
            _add(salon_a, name=f"顧客 {n}", kana=f"こきゃく {n}", phone=f"070-1000-{n:04d}")
            _add(salon_a, name=f"再登録 {n}", kana=f"さいとうろく {n}", phone=f"070-1000-{n:04d}")

    pairs(0, 2)
    owner.get(url)
    with CaptureQueriesContext(connection) as few:
        owner.get(url)
    pairs(2, 20)
    with CaptureQueriesContext(connection) as many:
        page = owner.get(url).content.decode()
    assert page.count('<li class="duplicate-pair') == 22
    assert len(many) == len(few)


@pytest.mark.parametrize("language", ["en"])
def test_the_reasons_read_in_english_too(salon_a, language):
    _add(salon_a, name="Hanako", kana="はなこ", email="h@example.jp")
    _add(salon_a, name="Hana", kana="はな", email="H@example.jp")
    owner = salon_a.client(salon_a.owner)
    owner.cookies["django_language"] = language
    page = owner.get(reverse("staff:duplicate_list")).content.decode()
    assert "the same email" in page and "Different people" in page
