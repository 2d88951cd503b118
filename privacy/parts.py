"""Each app's share of one customer's data, as pretix's data shredders: what it adds to the
customer's export, what it removes when the customer is deleted for good, and what moves when two
records of one person are merged (and back, when the merge is undone).

An app with rows about a customer declares a part in its ``customer_data.py``; privacy loads them
all and knows no app's fields. ``tests/test_customer_data_parts.py`` walks the models and fails when
a row that belongs to a customer is covered by no part.
"""

import datetime
import decimal
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Model
from django.utils.functional import Promise

_PARTS: list["CustomerDataPart"] = []


@dataclass
class ExportPlan:
    """Everything to put in the ZIP, read from the database up front: the ZIP itself is then
    written piece by piece from storage, outside the request's salon scope and transaction."""

    filename: str
    documents: dict[str, str] = field(default_factory=dict)
    files: list[tuple[str, str]] = field(default_factory=list)  # (name in the ZIP, storage name)


@dataclass
class Erased:
    """What one part removed: counts for the audit entry, stored files to delete once committed."""

    counts: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


def when(value: datetime.date | datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


class CustomerDataPart:
    """One app's rows about a customer. ``models`` names every model the part covers ("app.Model")."""

    models: tuple[str, ...] = ()
    # The name of the part's document in the export ("" for a part with nothing to show the customer).
    document: str = ""
    # What the export's README.txt says of each file or folder the part adds, in the reader's words.
    contents: tuple[tuple[str, str | Promise], ...] = ()
    # Erased in this order, lowest first: rows that point at others go before the rows they point at.
    erase_order: int = 50

    def export(self, customer: Any, plan: ExportPlan, prefix: str) -> Any:
        """The part's document (made into JSON); files it names are added to the plan under prefix."""
        return None

    def audit_targets(self, customer: Any) -> dict[str, set[str]]:
        """The audit log's targets (model name → ids) that are this part's rows of the customer."""
        return {}

    def erase(self, customer: Any) -> Erased:
        """Delete the part's rows of the customer; the customer row itself goes last, by privacy."""
        return Erased()

    def customer_models(self) -> list[type[Model]]:
        """The part's models that point at a customer by a field named `customer`."""
        found = []
        for label in self.models:
            model = apps.get_model(label)
            field = next((f for f in model._meta.concrete_fields if f.name == "customer"), None)
            if field is not None and field.is_relation:
                found.append(model)
        return found

    def merge(self, source: Any, target: Any) -> dict[str, dict[str, list]]:
        """Move the part's rows of `source` to `target` (one UPDATE per model). A row that target
        already has the like of (a unique constraint with the customer: a notice read by both, a
        follow-up planned for both) is not moved but set aside with its values, so that undo can
        put it back. Returns what moved, by model, for undo."""
        moved: dict[str, dict[str, list]] = {}
        for model in self.customer_models():
            manager = model._base_manager
            rows = manager.filter(customer=source)
            dropped: list[dict[str, Any]] = []
            for constraint in model._meta.constraints:
                fields = list(getattr(constraint, "fields", ()))
                if "customer" not in fields:
                    continue
                attnames = {field.name: field.attname for field in model._meta.concrete_fields}
                others = [attnames[name] for name in fields if name != "customer"]
                taken = set(manager.filter(customer=target).values_list(*others))
                dropped += [
                    values for values in rows.values() if tuple(values[name] for name in others) in taken
                ]
            if dropped:
                manager.filter(pk__in=[values["id"] for values in dropped]).delete()
            ids = list(rows.values_list("pk", flat=True))
            rows.update(customer=target)
            moved[model._meta.label] = {"ids": ids, "dropped": [_plain(values) for values in dropped]}
        return moved

    def unmerge(self, source: Any, target: Any, moved: dict[str, dict[str, list]]) -> None:
        """Put back what merge moved: its rows return to `source` (those since deleted stay
        deleted), and the rows it set aside are made again."""
        for model in self.customer_models():
            entry = moved.get(model._meta.label)
            if not entry:
                continue
            manager = model._base_manager
            manager.filter(pk__in=entry["ids"], customer=target).update(customer=source)
            for values in entry["dropped"]:
                manager.create(**values)


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """A row's values as JSON keeps them (dates as ISO text, which the fields read back)."""
    return {
        name: value.isoformat()
        if isinstance(value, datetime.date | datetime.datetime)
        else str(value)
        if isinstance(value, uuid.UUID | decimal.Decimal)
        else value
        for name, value in values.items()
    }


def register(part: type[CustomerDataPart]) -> type[CustomerDataPart]:
    """Class decorator: the part takes its place in every export and erase."""
    _PARTS.append(part())
    return part


def customer_data_parts() -> list[CustomerDataPart]:
    return list(_PARTS)


def ids(queryset: models.QuerySet) -> set[str]:
    return {str(pk) for pk in queryset.values_list("pk", flat=True)}
