from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.charts import Series, bar_chart, count_chart, line_chart
from analytics.selectors import analytics_report
from analytics.tasks import analytics_refresh_if_stale
from push.services import push_configured
from salons.access import owner_required


@owner_required
def analytics_page(request):
    """The owner's numbers, month by month: whether the app brings customers back."""
    asked = analytics_refresh_if_stale(salon=request.salon)
    report = analytics_report(today=timezone.localdate())
    table, short, growing = report.table, report.short_labels, report.growing_from
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
        "computing": asked and not any(report.rows),
        "computed_at": report.computed_at,
        "repeat_chart": repeat,
        "linked_chart": bar_chart(short, [t.get("linked_rate") for t in table], "series-linked"),
        "read_chart": bar_chart(short, [t.get("read_rate") for t in table], "series-read"),
        "next_chart": bar_chart(short, [t.get("next_booking_rate") for t in table], "series-linked"),
        "push_available": push_configured(),
        "push_chart": line_chart(
            short,
            [
                Series(_("Pushed"), [t.get("read_rate_pushed") for t in table], "series-linked", None),
                Series(
                    _("Not pushed"), [t.get("read_rate_unpushed") for t in table], "series-unlinked", None
                ),
            ],
        ),
        "sheet_chart": count_chart(
            short, [row.sheets if row else None for row in report.rows], "series-sheets"
        ),
    }
    return render(request, "staff/salon/analytics.html", context)
