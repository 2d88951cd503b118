from django.db import transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from huey import crontab

from common.tasks import periodic_task
from salons.models import Salon

from .duplicates import duplicates_refresh_salon
from .retention import retention_run


@periodic_task(crontab(minute="40", hour="3"))
def duplicates_sweep() -> None:
    """Nightly: each salon's likely duplicates found again from its customers' keys, catching
    records written by paths that do not look (the keys of older records, filled by migration)."""
    with scopes_disabled():
        salons = list(Salon.objects.all())
    for salon in salons:
        with scope(salon=salon), transaction.atomic():
            duplicates_refresh_salon(salon)


@periodic_task(crontab(minute="10", hour="4", day="1"))
def retention_monthly() -> None:
    """On the first of each month: each salon's retention period applied (customers.retention)."""
    with scopes_disabled():
        salons = list(Salon.objects.filter(retention_years__isnull=False))
    for salon in salons:
        with scope(salon=salon), timezone.override(salon.timezone):
            retention_run(salon=salon, today=timezone.localdate())
