from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet

from linking.models import Device
from linking.selectors import active_devices

from .models import DeliveryStatus, PushDelivery, PushSubscription


def push_is_on(*, device: Any) -> bool:
    """Whether this phone takes push for its salon's app now."""
    return device is not None and PushSubscription.objects.filter(device=device).exists()


def pushed_counts(*, notice_ids: list[int]) -> dict[int, int]:
    """How many phones each of these notices was pushed to (sent), in one query."""
    rows = (
        PushDelivery.objects.filter(notice_id__in=notice_ids, status=DeliveryStatus.SENT)
        .values("notice_id")
        .annotate(sent=Count("pk"))
        .values_list("notice_id", "sent")
    )
    return dict(rows)


def devices_with_push_state(*, customer: Any) -> QuerySet[Device]:
    """The phones linked to a customer now, newest first, each with `takes_push`, in one query."""
    return active_devices(customer=customer).annotate(
        takes_push=Exists(PushSubscription.objects.filter(device=OuterRef("pk")))
    )


def phones_taking_push() -> int:
    """The salon's linked phones that take push now."""
    return PushSubscription.objects.filter(device__revoked_at__isnull=True).count()
