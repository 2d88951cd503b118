from dataclasses import dataclass

from .models import AuditEntry


@dataclass
class AuditPage:
    entries: list[AuditEntry]
    older: int | None  # the entry to page on from, when there are older entries
    newer: int | None


def audit_page(*, before: int | None, after: int | None, size: int) -> AuditPage:
    """The activity log, newest first, a page at a time by position ("older" / "newer").

    Paged from a known entry instead of by page number, so no page counts the salon's whole
    history; ordered by salon too, so that the (salon, id) index is what serves it.
    """
    if after is not None:
        rows = list(AuditEntry.objects.filter(id__gt=after).order_by("salon_id", "id")[: size + 1])
        has_newer = len(rows) > size
        entries = rows[:size][::-1]
        has_older = True
    else:
        newest_first = AuditEntry.objects.order_by("-salon_id", "-id")
        if before is not None:
            newest_first = newest_first.filter(id__lt=before)
        rows = list(newest_first[: size + 1])
        has_older = len(rows) > size
        entries = rows[:size]
        has_newer = before is not None and AuditEntry.objects.filter(id__gte=before).exists()
    return AuditPage(
        entries=entries,
        older=entries[-1].pk if entries and has_older else None,
        newer=entries[0].pk if entries and has_newer else None,
    )
