from django.db.models import Exists, OuterRef, QuerySet

from customers.models import Customer

from .models import Device, LinkCode


def active_devices_of(customer) -> QuerySet[Device]:
    """The phones currently linked to a customer (or, in a subquery, to an OuterRef)."""
    return Device.objects.filter(customer=customer, revoked_at__isnull=True)


def active_devices(*, customer: Customer) -> QuerySet[Device]:
    """The phones currently linked to a customer, newest first."""
    return active_devices_of(customer).order_by("-linked_at")


def with_app_flag(customers: QuerySet[Customer]) -> QuerySet[Customer]:
    """Each customer with `has_app`: whether a phone is linked to them now."""
    return customers.annotate(has_app=Exists(active_devices_of(OuterRef("pk"))))


def opened_from_step1(link_code: LinkCode) -> LinkCode | None:
    """The code of the same pair that a phone's browser opened from Step 1's QR code, if any."""
    if link_code.batch is None:
        return None
    opened = LinkCode.objects.filter(batch=link_code.batch, via_url=True, used_at__isnull=False)
    return opened.select_related("device").first()
