import functools

from django.db import connection
from django.utils.functional import SimpleLazyObject

BADGE_MOST = 100


def waiting(request):
    """How many counselling sheets wait to be filed and how many booking requests from the app wait
    for an answer: the staff bar's red counts. Both are read in one query, and only where a page
    shows them (staff pages, inside the salon's scope)."""

    @functools.cache
    def counts() -> tuple[int, int]:
        from appointments.models import AppointmentRequest, RequestState
        from counselling.selectors import received_sheets

        salon = getattr(request, "salon", None)
        if salon is None or getattr(request, "staff", None) is None:
            return 0, 0
        # Each counted over at most 100 rows: a badge needs no exact figure past 99.
        sheets = received_sheets(salon=salon).values("pk")[:BADGE_MOST]
        asked = AppointmentRequest.objects.filter(state=RequestState.PENDING).values("pk")[:BADGE_MOST]
        sheets_sql, sheets_params = sheets.query.sql_with_params()
        asked_sql, asked_params = asked.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT (SELECT COUNT(*) FROM ({sheets_sql}) s), (SELECT COUNT(*) FROM ({asked_sql}) r)",
                [*sheets_params, *asked_params],
            )
            row = cursor.fetchone()
        return int(row[0]), int(row[1])

    return {
        "sheets_waiting": SimpleLazyObject(lambda: counts()[0]),
        "requests_waiting": SimpleLazyObject(lambda: counts()[1]),
    }
