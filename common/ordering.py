"""Lists the owner puts in order by hand (menus, categories, questions): a `position` per row,
1, 2, 3… in the order shown."""

from typing import Any

from django.db import transaction
from django.db.models import Max, Model, QuerySet


def last_position(rows: QuerySet[Any]) -> int:
    last: int | None = rows.aggregate(last=Max("position"))["last"]
    return last or 0


def move_in_order(rows: QuerySet[Any], entry: Model, step: int) -> None:
    """Swap the entry with its neighbour above (step -1) or below (step 1) among the rows, and number
    them all again from 1, so that gaps and ties left by deletions are mended on the way."""
    with transaction.atomic():
        ordered = list(rows.select_for_update().order_by("position", "id"))
        index = next(i for i, other in enumerate(ordered) if other.pk == entry.pk)
        target = index + step
        if not 0 <= target < len(ordered):
            return
        ordered[index], ordered[target] = ordered[target], ordered[index]
        for position, other in enumerate(ordered, start=1):
            if other.position != position:
                other.position = position
                other.save(update_fields=["position"])
