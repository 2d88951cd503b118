from django.utils import timezone
from django_scopes import scope, scopes_disabled
from huey import crontab

from common.tasks import MESSAGES, periodic_task
from salons.models import Salon

from .reminders import reminders_send


@periodic_task(crontab(minute="*/5"), priority=MESSAGES)
def reminders_tick() -> None:
    """Every five minutes: tomorrow's reminders of the salons whose reminder time has come today.
    Each goes out once, whichever worker takes it (reminders.reminders_send)."""
    now = timezone.now()
    with scopes_disabled():
        salons = list(Salon.objects.filter(reminder_time__isnull=False))
    for salon in salons:
        with scope(salon=salon), timezone.override(salon.timezone):
            reminders_send(salon=salon, now=now)
