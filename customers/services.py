import uuid
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit.services import audit_log
from common.actors import Actor
from common.idempotency import create_once
from salons.models import Salon

from . import actions
from .duplicates import KEYS, duplicates_refresh, duplicates_withdraw
from .models import Customer

AUDITED_FIELDS = (
    "name",
    "kana",
    "phone",
    "other_phone",
    "email",
    "birthday",
    "gender",
    "postcode",
    "address",
    "allergies",
    "memo",
)


class NumberTaken(Exception):
    """The customer number asked for belongs to another customer of the salon."""


def customer_numbers_reserve(*, salon: Salon, count: int = 1) -> int:
    """The first of `count` free customer numbers after the salon's highest, the salon held meanwhile.

    Call inside a transaction: the salon's row stays locked until it ends, so two staff adding
    customers at once get different numbers.
    """
    Salon.objects.select_for_update().filter(pk=salon.pk).first()
    highest = Customer.objects.filter(salon=salon).aggregate(highest=Max("number"))["highest"]
    return (highest or 0) + 1


def customer_create(
    *, salon: Salon, actor: Actor, data: dict[str, Any], client_key: uuid.UUID | None = None
) -> Customer:
    """Add a customer; the same form sent again (same client key) returns the first one.

    The customer number is the one given in `data` (raising NumberTaken when another customer has
    it) or the next free one.
    """

    def create() -> Customer:
        number = data.get("number")
        if number is None:
            number = customer_numbers_reserve(salon=salon)
        elif Customer.objects.filter(salon=salon, number=number).exists():
            raise NumberTaken(number)
        customer = Customer(
            salon=salon,
            client_key=client_key,
            number=number,
            **{name: data.get(name) for name in AUDITED_FIELDS if name in data},
        )
        customer.refresh_search_fields()
        customer.save()
        duplicates_refresh(customer)
        audit_log(
            salon=salon, actor=actor, action=actions.CUSTOMER_CREATE, target=customer, summary=customer.name
        )
        return customer

    return create_once(Customer.objects.all(), client_key, create)


def customer_update(*, customer: Customer, actor: Actor, data: dict[str, Any]) -> Customer:
    # Compared with the stored row: a bound ModelForm has already copied the new values onto `customer`.
    stored = Customer.objects.get(pk=customer.pk)
    changed = [name for name in AUDITED_FIELDS if name in data and getattr(stored, name) != data[name]]
    for name in changed:
        setattr(customer, name, data[name])
    customer.refresh_search_fields()
    with transaction.atomic():
        customer.save()
        if any(getattr(stored, key) != getattr(customer, key) for key in KEYS):
            duplicates_refresh(customer)
        if changed:
            # Field names only: the log must not become a second copy of personal data.
            audit_log(
                salon=customer.salon,
                actor=actor,
                action=actions.CUSTOMER_UPDATE,
                target=customer,
                summary=customer.name,
                data={"fields": changed},
            )
    return customer


def customer_archive(*, customer: Customer, actor: Actor) -> Customer:
    with transaction.atomic():
        customer.archived_at = timezone.now()
        customer.save(update_fields=["archived_at", "updated_at"])
        duplicates_withdraw(customer)
        audit_log(
            salon=customer.salon,
            actor=actor,
            action=actions.CUSTOMER_ARCHIVE,
            target=customer,
            summary=customer.name,
        )
    return customer


def customer_restore(*, customer: Customer, actor: Actor) -> Customer:
    with transaction.atomic():
        customer.archived_at = None
        customer.save(update_fields=["archived_at", "updated_at"])
        duplicates_refresh(customer)
        audit_log(
            salon=customer.salon,
            actor=actor,
            action=actions.CUSTOMER_RESTORE,
            target=customer,
            summary=customer.name,
        )
    return customer
