from django.db.models import QuerySet

from customers.models import Customer

from .models import Device


def active_devices_of(customer) -> QuerySet[Device]:
    """The phones currently linked to a customer (or, in a subquery, to an OuterRef)."""
    return Device.objects.filter(customer=customer, revoked_at__isnull=True)


def active_devices(*, customer: Customer) -> QuerySet[Device]:
    """The phones currently linked to a customer, newest first."""
    return active_devices_of(customer).order_by("-linked_at")
