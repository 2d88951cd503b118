import uuid

from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import audit_log
from common.idempotency import create_once
from salons.models import Salon

from .models import Customer

AUDITED_FIELDS = ("name", "kana", "phone", "email", "birthday", "memo")


def customer_create(*, salon: Salon, actor, data: dict, client_key: uuid.UUID | None = None) -> Customer:
    """Add a customer; the same form sent again (same client key) returns the first one."""

    def create() -> Customer:
        customer = Customer(
            salon=salon,
            client_key=client_key,
            **{name: data.get(name) for name in AUDITED_FIELDS if name in data},
        )
        customer.refresh_search_fields()
        customer.save()
        audit_log(
            salon=salon, actor=actor, action=Action.CUSTOMER_CREATE, target=customer, summary=customer.name
        )
        return customer

    return create_once(Customer.objects.all(), client_key, create)


def customer_update(*, customer: Customer, actor, data: dict) -> Customer:
    # Compared with the stored row: a bound ModelForm has already copied the new values onto `customer`.
    stored = Customer.objects.get(pk=customer.pk)
    changed = [name for name in AUDITED_FIELDS if name in data and getattr(stored, name) != data[name]]
    for name in changed:
        setattr(customer, name, data[name])
    customer.refresh_search_fields()
    with transaction.atomic():
        customer.save()
        if changed:
            # Field names only: the log must not become a second copy of personal data.
            audit_log(
                salon=customer.salon,
                actor=actor,
                action=Action.CUSTOMER_UPDATE,
                target=customer,
                summary=customer.name,
                data={"fields": changed},
            )
    return customer


def customer_archive(*, customer: Customer, actor) -> Customer:
    with transaction.atomic():
        customer.archived_at = timezone.now()
        customer.save(update_fields=["archived_at", "updated_at"])
        audit_log(
            salon=customer.salon,
            actor=actor,
            action=Action.CUSTOMER_ARCHIVE,
            target=customer,
            summary=customer.name,
        )
    return customer


def customer_restore(*, customer: Customer, actor) -> Customer:
    with transaction.atomic():
        customer.archived_at = None
        customer.save(update_fields=["archived_at", "updated_at"])
        audit_log(
            salon=customer.salon,
            actor=actor,
            action=Action.CUSTOMER_RESTORE,
            target=customer,
            summary=customer.name,
        )
    return customer
