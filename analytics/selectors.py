import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import formats

from .models import MonthlyFigures
from .services import MONTHS, month_starts, ratio


@dataclass
class AnalyticsReport:
    """The last twelve months as the owner's page shows them: one row per month (None for a month
    not worked out yet), and each month's rates."""

    firsts: list[datetime.date]
    rows: list[MonthlyFigures | None]
    table: list[dict[str, Any]]

    @property
    def short_labels(self) -> list[str]:
        return [f"{first.month}" if first.month != 1 else f"{first:%Y}/1" for first in self.firsts]

    @property
    def growing_from(self) -> int | None:
        """The first month whose return rate can still change (drawn apart on the chart)."""
        return next((i for i, row in enumerate(self.rows) if row is not None and not row.repeat_final), None)

    @property
    def computed_at(self) -> datetime.datetime | None:
        return max((row.computed_at for row in self.rows if row), default=None)


def analytics_report(*, today: datetime.date) -> AnalyticsReport:
    """Twelve rows read, however many kartes the salon has (the worker rolls them up)."""
    firsts = month_starts(today=today, count=MONTHS)
    by_month = {row.month: row for row in MonthlyFigures.objects.filter(month__in=firsts)}
    rows = [by_month.get(first) for first in firsts]
    table: list[dict[str, Any]] = []
    for first, row in zip(firsts, rows, strict=True):
        label = formats.date_format(first, "YEAR_MONTH_FORMAT")
        if row is None:
            table.append({"label": label, "row": None})
            continue
        table.append(
            {
                "label": label,
                "row": row,
                "linked_rate": ratio(row.linked, row.active),
                "repeat_linked": ratio(row.returned_linked, row.visitors_linked),
                "repeat_unlinked": ratio(row.returned_unlinked, row.visitors_unlinked),
                "read_rate": ratio(row.reads, row.reach),
                "next_booking_rate": ratio(row.visits_next_booked, row.visits),
                "read_rate_pushed": ratio(row.reads_pushed, row.reach_pushed),
                "reads_unpushed": row.reads - row.reads_pushed,
                "reach_unpushed": row.reach - row.reach_pushed,
                "read_rate_unpushed": ratio(row.reads - row.reads_pushed, row.reach - row.reach_pushed),
            }
        )
    return AnalyticsReport(firsts=firsts, rows=rows, table=table)
