from typing import Any

from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from analytics.charts import Series, bar_chart, count_chart, line_chart
from analytics.models import MonthlyFigures
from analytics.services import MONTHS, month_starts, ratio
from analytics.tasks import analytics_refresh_if_stale
from salons.access import owner_required


@owner_required
def analytics_page(request):
    """The owner's numbers, month by month: whether the app brings customers back."""
    asked = analytics_refresh_if_stale(salon=request.salon)
    firsts = month_starts(today=timezone.localdate(), count=MONTHS)
    by_month = {row.month: row for row in MonthlyFigures.objects.filter(month__in=firsts)}
    rows = [by_month.get(first) for first in firsts]
    labels = [formats.date_format(first, "YEAR_MONTH_FORMAT") for first in firsts]
    short = [f"{first.month}" if first.month != 1 else f"{first:%Y}/1" for first in firsts]
    table: list[dict[str, Any]] = []
    for label, row in zip(labels, rows, strict=True):
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
            }
        )
    growing = next((i for i, row in enumerate(rows) if row is not None and not row.repeat_final), None)
    repeat = line_chart(
        short,
        [
            Series(_("Linked the app"), [t.get("repeat_linked") for t in table], "series-linked", growing),
            Series(
                _("Without the app"), [t.get("repeat_unlinked") for t in table], "series-unlinked", growing
            ),
        ],
    )
    context = {
        "table": table,
        "computing": asked and not any(rows),
        "computed_at": max((row.computed_at for row in rows if row), default=None),
        "repeat_chart": repeat,
        "linked_chart": bar_chart(short, [t.get("linked_rate") for t in table], "series-linked"),
        "read_chart": bar_chart(short, [t.get("read_rate") for t in table], "series-read"),
        "sheet_chart": count_chart(short, [row.sheets if row else None for row in rows], "series-sheets"),
    }
    return render(request, "staff/salon/analytics.html", context)
