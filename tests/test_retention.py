"""Personal data kept no longer than needed: with a retention period set, customers with no sign of
life for that long are listed to the owner a month ahead, then erased for good (kartes, photos,
phones with them) unless kept; audited with counts; once each, however often or on however many
workers the month's job runs; nothing happens with the period off."""

import datetime

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from audit.models import AuditEntry
from customers.models import Customer
from customers.retention import retention_run
from customers.services import customer_create
from kartes.models import ImageAsset, Karte

from .factories import make_karte
from .racing import postgres_only, race

TODAY = datetime.date(2026, 12, 1)


def _noon(day):
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


def _aged(world, name, *, years_ago, visit_years_ago=None):
    """A customer added (and last changed) that long ago, last seen at a visit that long ago."""
    with scope(salon=world.salon):
        customer = customer_create(salon=world.salon, actor=None, data={"name": name, "kana": "かな"})
        # Counted back from the test's own today, whatever the date the suite runs on.
        long_ago = _noon(TODAY) - datetime.timedelta(days=365 * years_ago)
        visit = TODAY - datetime.timedelta(days=365 * visit_years_ago) if visit_years_ago else None
        Customer.objects.filter(pk=customer.pk).update(
            created_at=long_ago, updated_at=long_ago, last_visit_on=visit
        )
        customer.refresh_from_db()
        return customer


def _period(world, years):
    world.salon.retention_years = years
    world.salon.save()


def _run(world, today):
    with scope(salon=world.salon):
        return retention_run(salon=world.salon, today=today)


def test_listed_a_month_ahead_then_erased_unless_kept(
    salon_a, own_storage, django_capture_on_commit_callbacks
):
    _period(salon_a, 5)
    gone = _aged(salon_a, "古い 顧客", years_ago=8, visit_years_ago=6)
    karte = make_karte(salon_a, customer=gone, date=TODAY - datetime.timedelta(days=365 * 6))
    with scope(salon=salon_a.salon):
        Customer.objects.filter(pk=gone.pk).update(updated_at=_noon(TODAY) - datetime.timedelta(days=3000))
        assert Customer.objects.get(pk=gone.pk).last_visit_on == karte.treatment_date
        photo_names = list(ImageAsset.objects.get().stored_names())
    kept = _aged(salon_a, "残す 顧客", years_ago=8)
    _aged(salon_a, "最近 来店", years_ago=8, visit_years_ago=1)  # a visit last year: not listed
    almost = _aged(salon_a, "もうすぐ 顧客", years_ago=5)  # five years in under a month: listed now

    assert _run(salon_a, TODAY) == {"erased": 0, "listed": 3}
    due = TODAY + datetime.timedelta(days=30)
    with scope(salon=salon_a.salon):
        listed = dict(
            Customer.objects.filter(retention_due_on__isnull=False).values_list("name", "retention_due_on")
        )
    assert listed == {"古い 顧客": due, "残す 顧客": due, "もうすぐ 顧客": due}

    owner = salon_a.client(salon_a.owner)
    note = owner.get(reverse("staff:customer_list")).content.decode()
    assert "保存期間を過ぎた顧客3名が 12/31 から削除されます" in note
    assert (
        "保存期間" not in salon_a.client(salon_a.stylist).get(reverse("staff:customer_list")).content.decode()
    )
    page = owner.get(reverse("staff:retention")).content.decode()
    assert "古い 顧客" in page and "2026-12-31" in page
    owner.post(reverse("staff:retention_keep", kwargs={"pk": kept.pk}))

    assert _run(salon_a, due - datetime.timedelta(days=1)) == {"erased": 0, "listed": 0}  # not yet
    with django_capture_on_commit_callbacks(execute=True):  # the files go once the deletion commits
        assert _run(salon_a, due) == {"erased": 2, "listed": 0}
    assert _run(salon_a, due) == {"erased": 0, "listed": 0}  # once only
    with scopes_disabled():
        names = set(Customer.objects.filter(salon=salon_a.salon).values_list("name", flat=True))
        assert "古い 顧客" not in names and "もうすぐ 顧客" not in names and "残す 顧客" in names
        assert not Karte.objects.filter(pk=karte.pk).exists()
        assert not ImageAsset.objects.exists()
        erased = AuditEntry.objects.filter(action="customer.retention_erase")
        assert erased.count() == 2 and all(entry.summary.startswith("#") for entry in erased)
        applied = AuditEntry.objects.filter(action="customer.retention").order_by("pk")
        assert [entry.data for entry in applied] == [{"erased": 0, "listed": 3}, {"erased": 2, "listed": 0}]
    from django.core.files.storage import default_storage

    assert not any(default_storage.exists(name) for name in photo_names)  # the photos' files too
    assert almost.pk not in names


def test_nothing_is_listed_or_erased_with_the_period_off(salon_a):
    _aged(salon_a, "古い 顧客", years_ago=20)
    assert _run(salon_a, TODAY) == {"erased": 0, "listed": 0}
    _period(salon_a, 3)
    assert _run(salon_a, TODAY)["listed"] == 1
    owner = salon_a.client(salon_a.owner)
    settings_page = owner.get(reverse("staff:salon_settings"))
    form = settings_page.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and name != "logo"}
    data["retention_years"] = ""
    owner.post(reverse("staff:salon_settings"), data)
    with scope(salon=salon_a.salon):
        salon_a.salon.refresh_from_db()
        assert salon_a.salon.retention_years is None
        assert not Customer.objects.filter(retention_due_on__isnull=False).exists()  # turned off: nobody goes
    assert _run(salon_a, TODAY + datetime.timedelta(days=60)) == {"erased": 0, "listed": 0}


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_month_at_once_erase_each_customer_once(salon_a):
    _period(salon_a, 2)
    for n in range(6):
        _aged(salon_a, f"古い {n}", years_ago=5)
    _run(salon_a, TODAY)
    due = TODAY + datetime.timedelta(days=30)
    results, errors = race(lambda: _run(salon_a, due), 2)
    assert errors == []
    assert sum(result["erased"] for result in results) == 6
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="customer.retention_erase").count() == 6
