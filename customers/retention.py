"""Personal data kept no longer than needed: the salon's retention period (「顧客情報の保存期間」).

Once a month, for a salon that set one: the customers whose last sign of life — their last visit,
the last change to their record, the day they were added or last kept — is older than the period
(or will be within NOTICE_DAYS) are listed to the owner with the date they will go; on that date,
those still not kept are erased for good by the same deletion staff use (kartes, photos, sheets,
phones), each in a transaction of its own, and the activity log records the counts. 「残す」 keeps a
customer for another period. Running twice, or on two workers at once, lists and erases each once.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils import timezone

from audit.services import audit_log
from common.actors import Actor
from privacy.services import customer_erase_now
from salons.models import Salon

from . import actions
from .models import Customer

NOTICE_DAYS = 30


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _last_sign() -> Greatest:
    """A customer's last sign of life: a visit, a change to the record, being added or kept."""
    epoch = datetime.date(1900, 1, 1)
    return Greatest(
        Coalesce("last_visit_on", epoch),
        TruncDate("updated_at"),
        TruncDate("created_at"),
        Coalesce(TruncDate("retention_kept_at"), epoch),
    )


def retention_candidates(*, salon: Salon, today: datetime.date) -> QuerySet[Customer]:
    """Customers of the salon past the period by today + NOTICE_DAYS, not yet listed."""
    if not salon.retention_years:
        return Customer.objects.none()
    cutoff = _years_before(today + datetime.timedelta(days=NOTICE_DAYS), salon.retention_years)
    return (
        Customer.objects.filter(salon=salon, merged_into__isnull=True, retention_due_on__isnull=True)
        .alias(last_sign=_last_sign())
        .filter(last_sign__lt=cutoff)
    )


def retention_listed(*, salon: Salon) -> QuerySet[Customer]:
    """Customers listed to go, soonest first."""
    return Customer.objects.filter(
        salon=salon, retention_due_on__isnull=False, merged_into__isnull=True
    ).order_by("retention_due_on", "kana_sort", "pk")


def retention_run(*, salon: Salon, today: datetime.date) -> dict[str, int]:
    """This month's work for one salon: erase those due and not kept, then list the next ones."""
    erased = 0
    due = list(
        Customer.objects.filter(
            salon=salon, retention_due_on__lte=today, merged_into__isnull=True
        ).values_list("pk", flat=True)
    )
    for pk in due:
        with transaction.atomic():
            # Locked and read again: kept a moment ago, or erased by another worker, it is left alone.
            customer = (
                Customer.objects.select_for_update()
                .filter(pk=pk, retention_due_on__lte=today, merged_into__isnull=True)
                .first()
            )
            if customer is None:
                continue
            customer_erase_now(customer=customer, actor=None, action=actions.CUSTOMER_RETENTION_ERASE)
            erased += 1
    listed = retention_candidates(salon=salon, today=today).update(
        retention_due_on=today + datetime.timedelta(days=NOTICE_DAYS)
    )
    if erased or listed:
        audit_log(
            salon=salon,
            actor=None,
            action=actions.CUSTOMER_RETENTION,
            target=salon,
            summary=f"{salon.retention_years}",
            data={"erased": erased, "listed": listed},
        )
    return {"erased": erased, "listed": listed}


def retention_keep(*, customer: Customer, actor: Actor) -> Customer:
    """「残す」: kept for another full period from now."""
    with transaction.atomic():
        customer.retention_due_on, customer.retention_kept_at = None, timezone.now()
        customer.save(update_fields=["retention_due_on", "retention_kept_at"])
        audit_log(
            salon=customer.salon,
            actor=actor,
            action=actions.CUSTOMER_RETENTION_KEEP,
            target=customer,
            summary=customer.name,
        )
    return customer


def retention_off(*, salon: Salon) -> int:
    """The period turned off or longer: nobody listed goes."""
    return Customer.objects.filter(salon=salon, retention_due_on__isnull=False).update(retention_due_on=None)
