"""Two records of one person made one: record B merged into record A.

Everything of B — kartes with their items and photos, counselling sheets, linked phones, notices and
reads, follow-ups, appointments, data requests — moves to A in one transaction, each app moving its
own rows (its part in ``customer_data.py``); the activity log's entries about B become entries about
A. A keeps its 顧客番号 and, field by field, its details unless the owner chose B's (or, for
allergies and the staff memo, both). B stays as an archived record that says where it went. The
merge is kept with what moved, so that the owner can undo it for UNDO_DAYS.

Both records are locked for the merge: two owners merging the same pair at once get one merge and
one AlreadyMerged.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import audit_log
from common.actors import Actor
from privacy.parts import customer_data_parts

from . import actions
from .duplicates import duplicates_refresh, duplicates_withdraw
from .models import Customer, CustomerMerge
from .services import AUDITED_FIELDS

UNDO_DAYS = 7
# The details chosen field by field (A's by default): those staff keep and the log names;
# those in BOTH_FIELDS may also keep both texts.
MERGE_FIELDS = AUDITED_FIELDS
BOTH_FIELDS = ("allergies", "memo")


class MergeRefused(Exception):
    """Not two records of one salon that can be merged (the same record, or one already merged)."""


class AlreadyMerged(MergeRefused):
    pass


class UndoRefused(Exception):
    """Undone already, or older than UNDO_DAYS."""


def merged_value(target: Customer, source: Customer, name: str, choice: str) -> Any:
    if choice == "source":
        return getattr(source, name)
    if choice == "both" and name in BOTH_FIELDS:
        return "\n".join(text for text in (getattr(target, name), getattr(source, name)) if text)
    return getattr(target, name)


def default_choices(target: Customer, source: Customer) -> dict[str, str]:
    """A's details, except where A has nothing and B has something; both allergy notes where both
    have one (a caution is never dropped by default)."""
    choices = {}
    for name in MERGE_FIELDS:
        ours, theirs = getattr(target, name), getattr(source, name)
        if name in BOTH_FIELDS and ours and theirs and ours != theirs:
            choices[name] = "both"
        elif not ours and theirs:
            choices[name] = "source"
        else:
            choices[name] = "target"
    return choices


def _locked(*customers: Customer) -> dict[int, Customer]:
    """The records, locked in id order (so that two merges of one pair wait for each other)."""
    ids = sorted(customer.pk for customer in customers)
    return {
        customer.pk: customer
        for customer in Customer.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


def customer_merge(
    *, target: Customer, source: Customer, choices: dict[str, str], actor: Actor
) -> CustomerMerge:
    """Merge record B (source) into record A (target)."""
    if target.pk == source.pk or target.salon_id != source.salon_id:
        raise MergeRefused()
    with transaction.atomic():
        locked = _locked(target, source)
        target, source = locked.get(target.pk), locked.get(source.pk)  # type: ignore[assignment]
        if target is None or source is None:
            raise MergeRefused()
        if source.merged_into_id is not None or target.merged_into_id is not None:
            raise AlreadyMerged()
        before, after = {}, {}
        for name in MERGE_FIELDS:
            value = merged_value(target, source, name, choices.get(name, "target"))
            if value != getattr(target, name):
                before[name], after[name] = _jsonable(getattr(target, name)), _jsonable(value)
                setattr(target, name, value)
        if source.last_visit_on and (
            target.last_visit_on is None or source.last_visit_on > target.last_visit_on
        ):
            before["last_visit_on"], after["last_visit_on"] = (
                _jsonable(target.last_visit_on),
                _jsonable(source.last_visit_on),
            )
            target.last_visit_on = source.last_visit_on
        moved = {}
        for part in customer_data_parts():
            moved.update(part.merge(source, target))
        about_source = AuditEntry.objects.filter(target_type="customer", target_id=str(source.pk))
        audit_ids = list(about_source.values_list("pk", flat=True))
        about_source.update(target_id=str(target.pk))
        merge = CustomerMerge.objects.create(
            salon=target.salon,
            target=target,
            source=source,
            source_number=source.number,
            source_name=source.name,
            target_before=before,
            target_after=after,
            source_archived_at=source.archived_at,
            moved=moved,
            audit_ids=audit_ids,
            merged_by=actor,
        )
        source.merged_into = target
        source.archived_at = source.archived_at or timezone.now()
        source.save(update_fields=["merged_into", "archived_at", "updated_at"])
        duplicates_withdraw(source)
        target.refresh_search_fields()
        target.save()
        duplicates_refresh(target)
        audit_log(
            salon=target.salon,
            actor=actor,
            action=actions.CUSTOMER_MERGE,
            target=target,
            summary=f"{source.number_display} {source.name} → {target.number_display} {target.name}",
            data={
                "source": source.pk,
                "fields": sorted(after),
                "moved": {k: len(v["ids"]) for k, v in moved.items()},
            },
        )
    return merge


def undo_until(merge: CustomerMerge) -> datetime.datetime:
    return merge.merged_at + datetime.timedelta(days=UNDO_DAYS)


def customer_merge_undo(*, merge: CustomerMerge, actor: Actor, now: datetime.datetime) -> Customer:
    """Put both records back as they were before the merge (what was added to A since stays with
    A); returns B."""
    with transaction.atomic():
        merge = CustomerMerge.objects.select_for_update().get(pk=merge.pk)
        if merge.undone_at is not None or now > undo_until(merge):
            raise UndoRefused()
        locked = _locked(merge.target, merge.source)
        target, source = locked[merge.target_id], locked[merge.source_id]
        for part in reversed(customer_data_parts()):
            part.unmerge(source, target, merge.moved)
        AuditEntry.objects.filter(pk__in=merge.audit_ids).update(target_id=str(source.pk))
        for name, value in merge.target_before.items():
            # A detail changed since the merge is the staff's newer word: left as it is.
            if _jsonable(getattr(target, name)) == merge.target_after.get(name):
                field = next(field for field in Customer._meta.concrete_fields if field.name == name)
                setattr(target, name, field.to_python(value))
        target.refresh_search_fields()
        target.save()
        source.merged_into = None
        source.archived_at = merge.source_archived_at
        source.save(update_fields=["merged_into", "archived_at", "updated_at"])
        merge.undone_at, merge.undone_by = now, actor
        merge.save(update_fields=["undone_at", "undone_by"])
        duplicates_refresh(target)
        duplicates_refresh(source)
        audit_log(
            salon=target.salon,
            actor=actor,
            action=actions.CUSTOMER_MERGE_UNDO,
            target=target,
            summary=f"{source.number_display} {source.name} ← {target.number_display} {target.name}",
            data={"source": source.pk},
        )
    return source


def merges_to_undo(*, customer: Customer, now: datetime.datetime) -> list[CustomerMerge]:
    """The merges into this customer that can still be undone, newest first."""
    since = now - datetime.timedelta(days=UNDO_DAYS)
    return list(
        CustomerMerge.objects.filter(target=customer, undone_at__isnull=True, merged_at__gte=since).order_by(
            "-merged_at"
        )[:5]
    )


def what_moves(source: Customer) -> dict[str, int]:
    """How many rows of each model (by label) the merge would move, for the side-by-side page."""
    counts = {}
    for part in customer_data_parts():
        for model in part.customer_models():
            count = model._base_manager.filter(customer=source).count()
            if count:
                counts[model._meta.label] = count
    return counts
