from django.utils import timezone
from django_scopes import scope, scopes_disabled
from huey import crontab

from common.tasks import MESSAGES, periodic_task
from salons.models import Salon

from .models import FollowUpRule
from .services import followups_plan_birthdays, followups_send_due


@periodic_task(crontab(minute="*"), priority=MESSAGES)
def followups_send() -> None:
    """Every minute: the messages that are due. Each is sent once, whichever worker takes it."""
    with scopes_disabled():
        followups_send_due(now=timezone.now())


@periodic_task(crontab(minute="7"))
def followups_plan_birthdays_all() -> None:
    """Hourly (it asks only for what is not planned yet): the birthdays of the coming week."""
    with scopes_disabled():
        salon_ids = set(
            FollowUpRule.objects.filter(kind="birthday", enabled=True).values_list("salon_id", flat=True)
        )
        salons = list(Salon.objects.filter(pk__in=salon_ids))
    for salon in salons:
        with scope(salon=salon):
            followups_plan_birthdays(salon=salon, today=timezone.localdate())
