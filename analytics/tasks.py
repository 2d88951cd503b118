import datetime

from django.utils import timezone
from django_scopes import scopes_disabled
from huey import crontab

from common.tasks import enqueue_safely, periodic_task
from salons.models import Salon
from salons.tasks import salon_task

from .models import MonthlyFigures
from .services import MONTHS, analytics_roll_up, month_starts

STALE_AFTER = datetime.timedelta(hours=20)


@salon_task(bulk=True)
def analytics_roll_up_salon(salon) -> None:
    analytics_roll_up(salon=salon)


# 03:40 in Japan (the queue keeps UTC): every salon's months, after the day's visits are in.
@periodic_task(crontab(minute="40", hour="18"))
def analytics_roll_up_all() -> None:
    with scopes_disabled():
        salon_ids = list(Salon.objects.values_list("pk", flat=True))
    for salon_id in salon_ids:
        enqueue_safely(analytics_roll_up_salon, salon_id)


def analytics_refresh_if_stale(*, salon: Salon) -> bool:
    """Ask for a roll-up when the page finds months missing or a day old. Returns whether it asked."""
    wanted = set(month_starts(today=timezone.localdate(), count=MONTHS))
    rows = dict(MonthlyFigures.objects.filter(month__in=wanted).values_list("month", "computed_at"))
    fresh = timezone.now() - STALE_AFTER
    if set(rows) == wanted and min(rows.values()) >= fresh:
        return False
    return enqueue_safely(analytics_roll_up_salon, salon.pk)
