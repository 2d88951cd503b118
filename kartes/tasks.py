"""Photo work in the background: display copies, and lost tasks asked for again."""

import datetime
import logging

from django.utils import timezone
from django_scopes import scopes_disabled
from huey import crontab

from common.tasks import INTERACTIVE, enqueue_safely, periodic_task
from salons.tasks import salon_task

from .models import ImageAsset, ImageFailure, ImageStatus
from .services import image_asset_make_copies

log = logging.getLogger("karte.tasks")

# A task asked for this long ago and still not done was lost (worker killed, queue emptied).
STALLED_AFTER = datetime.timedelta(minutes=2)
# After this many tries the photo is marked failed and staff see 「再試行」.
MAX_ATTEMPTS = 5


@salon_task(priority=INTERACTIVE)  # staff wait at the tablet for 処理中 to go
def image_make_copies(salon, asset_id: str) -> None:
    image_asset_make_copies(asset_id=asset_id)


def image_copies_request(asset: ImageAsset) -> bool:
    return enqueue_safely(image_make_copies, asset.salon_id, str(asset.id))


@periodic_task(crontab(minute="*"))
def images_requeue_stalled() -> None:
    now = timezone.now()
    with scopes_disabled():
        stalled = list(
            ImageAsset.objects.filter(status=ImageStatus.PROCESSING, queued_at__lt=now - STALLED_AFTER)
            .order_by("queued_at")
            .values_list("pk", "salon_id", "attempts")[:500]
        )
        for pk, salon_id, attempts in stalled:
            if attempts >= MAX_ATTEMPTS:
                ImageAsset.objects.filter(pk=pk, status=ImageStatus.PROCESSING).update(
                    status=ImageStatus.FAILED, failure=ImageFailure.ERROR
                )
                log.warning("Photo %s gave up after %d attempts.", pk, attempts)
                continue
            claimed = ImageAsset.objects.filter(
                pk=pk, status=ImageStatus.PROCESSING, queued_at__lt=now - STALLED_AFTER
            ).update(queued_at=now, attempts=attempts + 1)
            if claimed:
                log.info("Photo %s asked for again (attempt %d).", pk, attempts + 1)
                enqueue_safely(image_make_copies, salon_id, str(pk))


def images_request_processing() -> int:
    """Ask the worker for the copies of every photo still being made, at once (after a restore:
    the backup holds the originals of such photos, and their copies are made again)."""
    now = timezone.now()
    with scopes_disabled():
        processing = list(
            ImageAsset.objects.filter(status=ImageStatus.PROCESSING).values_list("pk", "salon_id")
        )
        ImageAsset.objects.filter(pk__in=[pk for pk, _salon in processing]).update(queued_at=now, attempts=1)
        for pk, salon_id in processing:
            enqueue_safely(image_make_copies, salon_id, str(pk))
    return len(processing)
