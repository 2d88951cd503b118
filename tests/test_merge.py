"""Two records of one person made one: B merged into A moves kartes, sheets, phones, notices and
reads, follow-ups, appointments and the log to A in one transaction; A keeps its number and the
details the owner chose; B's address says where it went; the phone linked to B then sees A's public
items and only those; undone for 7 days; never across salons; two owners at once get one merge."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from appointments.models import Appointment
from appointments.services import appointment_book
from audit.models import AuditEntry
from counselling.models import SheetResponse
from customers.merge import AlreadyMerged, MergeRefused, UndoRefused, customer_merge, customer_merge_undo
from customers.models import Customer, CustomerMerge
from customers.services import customer_create
from followups.models import FollowUp
from kartes.models import Karte
from linking.models import Device
from notices.models import NoticeRead
from notices.services import notice_mark_read

from .factories import make_karte, make_notice, make_sheet_response
from .linking_helpers import app_url, linked_phone
from .racing import postgres_only, race


def _second_record(world, **data):
    with scope(salon=world.salon):
        return customer_create(
            salon=world.salon,
            actor=world.owner.user,
            data={"name": "森川 さき", "kana": "もりかわ さき", "phone": "090-9999-0000", **data},
        )


def _followup(world, customer, key):
    now = timezone.now()
    with scope(salon=world.salon):
        return FollowUp.objects.create(
            salon=world.salon, customer=customer, kind="thanks", base_at=now, due_at=now, key=key
        )


@pytest.fixture
def pair(salon_a):
    """A (salon_a.customer, with a phone, a private and a public karte) and B, her second record,
    with a karte, a sheet, a phone, a personal notice, a shared notice both read, a follow-up both
    have, an appointment and entries in the log."""
    a, b = salon_a.customer, _second_record(salon_a, allergies="ジアミン")
    with scope(salon=salon_a.salon):
        Customer.objects.filter(pk=a.pk).update(allergies="金属")
        a.refresh_from_db()
    a_private = make_karte(salon_a, customer=a, text="Aだけのメモ")
    a_public = make_karte(salon_a, customer=a, public_text=True, text="Aの公開メモ")
    b_public = make_karte(salon_a, customer=b, public_text=True, text="Bの公開メモ")
    make_sheet_response(salon_a, customer=b)
    phone_a, phone_b = linked_phone(salon_a, a), linked_phone(salon_a, b)
    make_notice(salon_a, customer=b, title="Bさんへ")
    shared = make_notice(salon_a, title="みなさまへ")
    with scope(salon=salon_a.salon):
        for customer in (a, b):
            notice_mark_read(notice=shared, customer=customer)
        appointment_book(
            salon=salon_a.salon, actor=None, customer=b, staff=salon_a.stylist,
            starts_at=timezone.now() + datetime.timedelta(days=3),
        )  # fmt: skip
    _followup(salon_a, a, "birthday-2027")
    _followup(salon_a, b, "birthday-2027")  # planned twice: once after the merge
    _followup(salon_a, b, "thanks-b")
    return {
        "a": a, "b": b, "phone_a": phone_a, "phone_b": phone_b, "shared": shared,
        "a_private": a_private, "a_public": a_public, "b_public": b_public,
    }  # fmt: skip


def _merge(world, pair, **choices):
    with scope(salon=world.salon):
        return customer_merge(target=pair["a"], source=pair["b"], choices=choices, actor=world.owner.user)


def _counts(world, customer):
    with scope(salon=world.salon):
        return {
            "kartes": Karte.objects.filter(customer=customer).count(),
            "sheets": SheetResponse.objects.filter(customer=customer).count(),
            "phones": Device.objects.filter(customer=customer, revoked_at__isnull=True).count(),
            "reads": NoticeRead.objects.filter(customer=customer).count(),
            "followups": sorted(FollowUp.objects.filter(customer=customer).values_list("key", flat=True)),
            "appointments": Appointment.objects.filter(customer=customer).count(),
        }


def test_everything_of_b_moves_to_a_and_b_says_where_it_went(salon_a, pair):
    a, b = pair["a"], pair["b"]
    before_a, before_b = _counts(salon_a, a), _counts(salon_a, b)
    with scope(salon=salon_a.salon):
        about_b = AuditEntry.objects.filter(target_type="customer", target_id=str(b.pk)).count()
    assert about_b >= 1
    _merge(salon_a, pair, phone="source", allergies="both")
    after_a, after_b = _counts(salon_a, a), _counts(salon_a, b)
    assert after_a == {
        "kartes": before_a["kartes"] + before_b["kartes"],
        "sheets": 1,
        "phones": 2,
        "reads": 1,  # the notice both had read: read once
        # Planned twice (birthday-2027), planned once.
        "followups": sorted(set(before_a["followups"]) | set(before_b["followups"])),
        "appointments": 1,
    }
    assert after_b == {"kartes": 0, "sheets": 0, "phones": 0, "reads": 0, "followups": [], "appointments": 0}
    with scope(salon=salon_a.salon):
        a.refresh_from_db()
        b.refresh_from_db()
        assert AuditEntry.objects.filter(target_type="customer", target_id=str(b.pk)).count() == 0
        assert AuditEntry.objects.filter(
            target_type="customer", target_id=str(a.pk), action="customer.merge"
        ).exists()
    assert (a.number, a.phone, a.allergies) == (1, "090-9999-0000", "金属\nジアミン")
    assert b.merged_into_id == a.pk and b.archived_at is not None
    owner = salon_a.client(salon_a.owner)
    gone = owner.get(reverse("staff:customer_detail", kwargs={"pk": b.pk}), follow=True)
    assert gone.redirect_chain[-1][0] == reverse("staff:customer_detail", kwargs={"pk": a.pk})
    assert f"{b.number_display} 森川 さき" in gone.content.decode() and "元に戻す" in gone.content.decode()
    assert owner.get(reverse("staff:customer_edit", kwargs={"pk": b.pk})).status_code == 404
    archived = owner.get(reverse("staff:customer_list"), {"archived": "on"}).content.decode()
    assert "森川 さき" not in archived  # not a record to restore: it lives on in A
    by_number = owner.get(reverse("staff:customer_list"), {"q": b.number_display}).content.decode()
    assert "別の記録に統合されています" in by_number and f"/customers/{a.pk}/" in by_number


def _sees(world, phone, karte) -> bool:
    """Whether the phone has this karte at all (its date and staff, and its public items)."""
    response = phone.get(app_url(world, "karte", pk=karte.pk))
    assert response.status_code in {200, 404}
    assert "Aだけのメモ" not in response.content.decode()  # a private item: never on a phone
    return response.status_code == 200


def test_the_phone_of_b_then_sees_as_public_items_and_only_those(salon_a, pair):
    phone_a, phone_b = pair["phone_a"], pair["phone_b"]
    kartes = (pair["a_private"], pair["a_public"], pair["b_public"])
    assert [_sees(salon_a, phone_b, karte) for karte in kartes] == [False, False, True]
    _merge(salon_a, pair)
    for phone in (phone_a, phone_b):
        assert [_sees(salon_a, phone, karte) for karte in kartes] == [True, True, True]
        page = phone.get(app_url(salon_a, "karte", pk=pair["a_public"].pk)).content.decode()
        assert "Aの公開メモ" in page
        assert "森川 紗季" in phone.get(app_url(salon_a)).content.decode()  # A's name greets both phones
    # Undone: B's phone has B's kartes again, and no longer A's; nor does it keep them offline.
    with scope(salon=salon_a.salon):
        merge = CustomerMerge.objects.get()
        customer_merge_undo(merge=merge, actor=None, now=timezone.now())
    assert [_sees(salon_a, phone_b, karte) for karte in kartes] == [False, False, True]
    assert [_sees(salon_a, phone_a, karte) for karte in kartes] == [True, True, False]
    visible = phone_b.get(app_url(salon_a, "visible")).content.decode()
    assert f"/kartes/{pair['b_public'].pk}/" in visible and f"/kartes/{pair['a_public'].pk}/" not in visible


def test_undo_puts_both_records_back_for_seven_days(salon_a, pair):
    a, b = pair["a"], pair["b"]
    before_a, before_b = _counts(salon_a, a), _counts(salon_a, b)
    merge = _merge(salon_a, pair, phone="source", name="source")
    owner = salon_a.client(salon_a.owner)
    undone = owner.post(reverse("staff:customer_merge_undo", kwargs={"pk": merge.pk}), follow=True)
    assert undone.redirect_chain[-1][0] == reverse("staff:customer_detail", kwargs={"pk": b.pk})
    assert _counts(salon_a, a) == before_a and _counts(salon_a, b) == before_b
    with scope(salon=salon_a.salon):
        a.refresh_from_db()
        b.refresh_from_db()
        assert AuditEntry.objects.filter(target_type="customer", target_id=str(b.pk)).exists()
    assert (a.name, a.phone, b.merged_into_id, b.archived_at) == ("森川 紗季", "090-1111-2222", None, None)
    with scope(salon=salon_a.salon), pytest.raises(UndoRefused):
        customer_merge_undo(merge=merge, actor=None, now=timezone.now())  # once only

    again = _merge(salon_a, pair)
    with scope(salon=salon_a.salon):
        with pytest.raises(UndoRefused):
            customer_merge_undo(merge=again, actor=None, now=timezone.now() + datetime.timedelta(days=8))
        customer_merge_undo(merge=again, actor=None, now=timezone.now() + datetime.timedelta(days=6))


def test_the_owner_compares_side_by_side_and_chooses_each_detail(salon_a, pair):
    a, b = pair["a"], pair["b"]
    url = reverse("staff:customer_merge", kwargs={"pk": a.pk, "other_pk": b.pk})
    assert salon_a.client(salon_a.stylist).get(url).status_code == 403
    owner = salon_a.client(salon_a.owner)
    page = owner.get(url).content.decode()
    assert "森川 紗季" in page and "森川 さき" in page and "090-9999-0000" in page
    assert 'name="allergies" value="both" checked' in page  # a caution is never dropped by default
    assert "カルテ: 1" in page
    done = owner.post(url, {"phone": "source", "allergies": "target"}, follow=True)
    assert "統合しました" in done.content.decode()
    with scope(salon=salon_a.salon):
        a.refresh_from_db()
    assert (a.phone, a.allergies) == ("090-9999-0000", "金属")
    assert owner.get(url).status_code == 404  # B is merged: nothing left to merge


def test_another_salons_customer_can_never_be_merged_in(salon_a, salon_b):
    owner = salon_a.client(salon_a.owner)
    url = reverse("staff:customer_merge", kwargs={"pk": salon_a.customer.pk, "other_pk": salon_b.customer.pk})
    assert owner.get(url).status_code == 404
    assert owner.post(url).status_code == 404
    with scope(salon=salon_a.salon), pytest.raises(MergeRefused):
        customer_merge(target=salon_a.customer, source=salon_b.customer, choices={}, actor=None)
    with scope(salon=salon_b.salon):
        assert Customer.objects.get(pk=salon_b.customer.pk).merged_into_id is None


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_owners_merging_the_same_pair_at_once_get_one_merge(salon_a):
    b = _second_record(salon_a)
    make_karte(salon_a, customer=b)

    def merge_one_way():
        with scope(salon=salon_a.salon):
            return customer_merge(target=salon_a.customer, source=b, choices={}, actor=None)

    def merge_other_way():
        with scope(salon=salon_a.salon):
            return customer_merge(target=b, source=salon_a.customer, choices={}, actor=None)

    results, errors = race(lambda: (merge_one_way if threading_turn() else merge_other_way)(), 4)
    assert len(results) == 1, errors
    assert len(errors) == 3 and all(isinstance(error, AlreadyMerged) for error in errors), errors
    with scope(salon=salon_a.salon):
        assert CustomerMerge.objects.count() == 1
        merged = Customer.objects.filter(merged_into__isnull=False)
        assert merged.count() == 1
        kept = merged.get().merged_into
        assert kept is not None and Karte.objects.filter(customer=kept).count() == 1


_turns = iter(range(1000))


def threading_turn() -> bool:
    """Half the racers merge B into A, the other half A into B."""
    return next(_turns) % 2 == 0
