from django.utils.functional import SimpleLazyObject

BADGE_MOST = 100


def sheets_waiting(request):
    """How many counselling sheets wait to be filed, for the staff bar; counted only where a page
    shows it (staff pages, inside the salon's scope)."""

    def count() -> int:
        from counselling.selectors import received_sheets

        salon = getattr(request, "salon", None)
        if salon is None or getattr(request, "staff", None) is None:
            return 0
        # A bounded read rather than COUNT: a badge needs no exact figure past 99.
        return len(received_sheets(salon=salon).values_list("pk", flat=True)[:BADGE_MOST])

    return {"sheets_waiting": SimpleLazyObject(count)}


def requests_waiting(request):
    """How many booking requests from the app wait for an answer, for the 予約 link's red count."""

    def count() -> int:
        from appointments.models import AppointmentRequest, RequestState

        if getattr(request, "staff", None) is None:
            return 0
        waiting = AppointmentRequest.objects.filter(state=RequestState.PENDING)
        return len(waiting.values_list("pk", flat=True)[:BADGE_MOST])

    return {"requests_waiting": SimpleLazyObject(count)}
