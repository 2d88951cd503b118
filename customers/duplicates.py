"""Likely duplicates: two records of one person (a sheet filed as a new customer by mistake, an
import, a customer who changed phone).

Each customer carries folded keys, kept in step by Customer.refresh_search_fields(): the mobile
number's digits, the email in lower case, and name + furigana folded (width, kana, case and spaces
never matter). A customer's likely duplicates are the salon's other customers sharing one of them:
three index lookups, however many customers the salon has. The pairs found are kept
(DuplicatePair), so that the list can show how many wait and staff can set a pair aside for good.

A key shared by more than MAX_GROUP customers (a salon's own number typed for everyone, a family's
one email) says nothing about who is whom and is left out.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from audit.services import audit_log
from common.actors import Actor
from salons.models import Salon

from . import actions
from .models import DUPLICATE_REASONS, STRONG_REASONS, Customer, DuplicatePair

MAX_GROUP = 10

KEYS = ("dup_phone", "dup_email", "dup_name")


def reasons_between(one: Customer, other: Customer) -> list[str]:
    """What two customers share, strongest first."""
    found = []
    if one.dup_phone and one.dup_phone == other.dup_phone:
        found.append("phone")
    if one.dup_email and one.dup_email == other.dup_email:
        found.append("email")
    if one.dup_name and one.dup_name == other.dup_name:
        same_birthday = one.birthday is not None and one.birthday == other.birthday
        found.append("name_birthday" if same_birthday else "name")
    return found


def _comparable() -> QuerySet[Customer]:
    return Customer.objects.filter(archived_at__isnull=True)


def candidates(customer: Customer) -> list[tuple[Customer, list[str]]]:
    """The salon's other customers that look like this one, with why: one query, a union of one
    index lookup per key the customer has (an OR across columns would read the salon's rows)."""
    lookups = [
        _comparable()
        .filter(salon_id=customer.salon_id, **{key: getattr(customer, key)})
        .exclude(pk=customer.pk)
        for key in KEYS
        if getattr(customer, key)
    ]
    if not lookups:
        return []
    first, *others = [lookup.order_by().values_list("pk", flat=True) for lookup in lookups]
    ids = list((first.union(*others) if others else first)[: MAX_GROUP * 3])
    if not ids:
        return []
    found = [
        (other, reasons_between(customer, other))
        for other in Customer.objects.filter(pk__in=ids).order_by("pk")
    ]
    return [(other, reasons) for other, reasons in found if reasons]


def _pair_rows(salon: Salon, found: dict[tuple[int, int], set[str]]) -> list[DuplicatePair]:
    return [
        DuplicatePair(
            salon=salon,
            first_id=first,
            second_id=second,
            reasons=sorted(reasons, key=list(DUPLICATE_REASONS).index),
            strong=any(reason in STRONG_REASONS for reason in reasons),
        )
        for (first, second), reasons in found.items()
    ]


def _save_pairs(rows: list[DuplicatePair]) -> None:
    DuplicatePair.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["salon", "first", "second"],
        update_fields=["reasons", "strong"],
        batch_size=1000,
    )


def duplicates_refresh(customer: Customer) -> None:
    """After a customer is saved: the pairs they are in, as their details now say."""
    found: dict[tuple[int, int], set[str]] = {}
    if customer.archived_at is None:
        for other, reasons in candidates(customer):
            found[(min(customer.pk, other.pk), max(customer.pk, other.pk))] = set(reasons)
    with transaction.atomic():
        stale = DuplicatePair.objects.filter(
            Q(first=customer) | Q(second=customer), dismissed_at__isnull=True
        )
        for first, second in found:
            stale = stale.exclude(first_id=first, second_id=second)
        stale.delete()
        _save_pairs(_pair_rows(customer.salon, found))


KEYS_AT_ONCE = 2000


def duplicates_refresh_salon(salon: Salon, *, prune: bool = True) -> None:
    """Every pair of the salon at once: the records sharing each key, grouped by it, rather than
    each customer against every other. With prune, pairs no longer alike are dropped (the nightly
    sweep); an import only adds records, so it only adds pairs (a read of the keys shared, then of
    the records sharing them, KEYS_AT_ONCE keys at a time). Runs inside the caller's transaction."""
    comparable = _comparable().filter(salon=salon)
    found: dict[tuple[int, int], set[str]] = defaultdict(set)
    for key in KEYS:
        shared = (
            comparable.exclude(**{key: ""})
            .values(key)
            .annotate(members=Count("id"))
            .filter(members__gte=2, members__lte=MAX_GROUP)
            .values_list(key, flat=True)
        )
        groups: dict[str, list[Customer]] = defaultdict(list)
        # The shared keys are read first and asked for a slice at a time: as a subquery, a
        # planner that has not yet seen the rows an import just wrote runs it once per customer.
        keys = list(shared)
        for start in range(0, len(keys), KEYS_AT_ONCE):
            for customer in comparable.filter(**{f"{key}__in": keys[start : start + KEYS_AT_ONCE]}).only(
                "pk", "birthday", "dup_phone", "dup_email", "dup_name"
            ):
                groups[getattr(customer, key)].append(customer)
        for members in groups.values():
            for index, one in enumerate(members):
                for other in members[index + 1 :]:
                    pair = (min(one.pk, other.pk), max(one.pk, other.pk))
                    found[pair].update(reasons_between(one, other))
    if found:
        _save_pairs(_pair_rows(salon, found))
    if prune:
        undismissed = DuplicatePair.objects.filter(salon=salon, dismissed_at__isnull=True)
        stale = [
            pk
            for pk, first, second in undismissed.values_list("pk", "first_id", "second_id")
            if (first, second) not in found
        ]
        DuplicatePair.objects.filter(pk__in=stale).delete()


def open_pairs() -> QuerySet[DuplicatePair]:
    """Pairs nobody has set aside. A customer archived leaves their pairs (duplicates_withdraw)."""
    return DuplicatePair.objects.filter(dismissed_at__isnull=True)


def open_pair_count(*, cap: int) -> int:
    """How many pairs wait, counted up to cap (cap + 1 means "more"): the list's note costs the
    same however many there are."""
    return open_pairs().order_by()[: cap + 1].count()


def duplicates_withdraw(customer: Customer) -> None:
    """An archived customer is offered as nobody's duplicate (restored, they are looked up again)."""
    DuplicatePair.objects.filter(Q(first=customer) | Q(second=customer), dismissed_at__isnull=True).delete()


def pairs_of(customer: Customer) -> list[tuple[DuplicatePair, Customer]]:
    """The customer's open pairs, each with the other customer."""
    pairs = (
        open_pairs()
        .filter(Q(first=customer) | Q(second=customer))
        .select_related("first", "second")
        .order_by("-strong", "pk")[:MAX_GROUP]
    )
    return [(pair, pair.second if pair.first_id == customer.pk else pair.first) for pair in pairs]


def pair_dismiss(*, pair: DuplicatePair, actor: Actor) -> DuplicatePair:
    """「別人として扱う」: the pair is not offered again, whatever the two records later share."""
    pair.dismissed_at, pair.dismissed_by = timezone.now(), actor
    pair.save(update_fields=["dismissed_at", "dismissed_by"])
    audit_log(
        salon=pair.salon,
        actor=actor,
        action=actions.DUPLICATE_DISMISS,
        target=pair.first,
        summary=f"{pair.first.name} / {pair.second.name}",
        data={"other": pair.second_id, "reasons": pair.reasons},
    )
    return pair
