"""Each app's share of one customer's data, as pretix's data shredders: what it adds to the
customer's export and what it removes when the customer is deleted for good.

An app with rows about a customer declares a part in its ``customer_data.py``; privacy loads them
all and knows no app's fields. ``tests/test_customer_data_parts.py`` walks the models and fails when
a row that belongs to a customer is covered by no part.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import models
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


def register(part: type[CustomerDataPart]) -> type[CustomerDataPart]:
    """Class decorator: the part takes its place in every export and erase."""
    _PARTS.append(part())
    return part


def customer_data_parts() -> list[CustomerDataPart]:
    return list(_PARTS)


def ids(queryset: models.QuerySet) -> set[str]:
    return {str(pk) for pk in queryset.values_list("pk", flat=True)}
