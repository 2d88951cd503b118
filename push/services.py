"""Sending one push to one phone, as the push services expect it: signed with our VAPID key
(RFC 8292), the payload encrypted to that browser's keys (RFC 8291, aes128gcm). Only the task
queue sends; a request never waits for a push service."""

import json
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from pywebpush import WebPushException, webpush

from .keys import vapid_signer
from .models import PushSubscription

# How long a push service may keep a push for a phone that is off (seconds): a notice still
# matters tomorrow, not next month.
TIME_TO_LIVE = 4 * 24 * 3600
SEND_TIMEOUT = 10
# When a push service says "later" without saying when.
DEFAULT_RETRY_AFTER = 60


class PushGone(Exception):
    """The push service no longer knows the subscription (404/410): it has been deleted here too."""


class PushLater(Exception):
    """The push service is busy, failing or unreachable: send again after `retry_after` seconds."""

    def __init__(self, reason: str, retry_after: int = DEFAULT_RETRY_AFTER):
        super().__init__(reason)
        self.retry_after = retry_after


class EndpointRefused(ValueError):
    """An address that is not one of the push services we send to."""


def push_configured() -> bool:
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


def push_endpoint_check(endpoint: str) -> None:
    """Only the push services' own addresses are taken: the worker must never be sent to post to
    an address a browser (or someone pretending to be one) made up."""
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    allowed = any(
        host == service or (service.startswith(".") and host.endswith(service))
        for service in settings.PUSH_SERVICE_HOSTS
    )
    secure = parts.scheme == "https" or (parts.scheme == "http" and host in settings.PUSH_INSECURE_HOSTS)
    if not (allowed and secure) or len(endpoint) > 1000:
        raise EndpointRefused(endpoint)


def push_subscription_save(*, device: Any, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Keep the phone's subscription (one per phone: a new one replaces the old)."""
    push_endpoint_check(endpoint)
    with transaction.atomic():
        subscription, _created = PushSubscription.objects.update_or_create(
            device=device,
            defaults={"salon": device.salon, "endpoint": endpoint, "p256dh": p256dh, "auth": auth},
        )
    return subscription


def push_subscription_delete(*, device: Any) -> None:
    PushSubscription.objects.filter(device=device).delete()


def push_payload(*, salon_name: str, title: str, url: str) -> str:
    """All a push carries: the salon's name, the notice's title and where tapping it leads."""
    return json.dumps({"salon": salon_name, "title": title, "url": url}, ensure_ascii=False)


def _retry_after(response: Any) -> int:
    header = getattr(response, "headers", {}).get("Retry-After", "") if response is not None else ""
    try:
        return max(1, int(header))
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER


def push_send(*, subscription: PushSubscription, payload: str) -> None:
    """Send one push. Raises PushGone (and deletes the subscription) when the push service no
    longer knows it, PushLater when it should be sent again later."""
    try:
        webpush(
            subscription_info=subscription.subscription_info(),
            data=payload,
            vapid_private_key=vapid_signer(settings.VAPID_PRIVATE_KEY),
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            ttl=TIME_TO_LIVE,
            timeout=SEND_TIMEOUT,
            headers={"Urgency": "normal"},
        )
    except WebPushException as error:
        status = error.status_code
        if status in (404, 410):
            PushSubscription.objects.filter(pk=subscription.pk).delete()
            raise PushGone(str(status)) from None
        if status == 429 or (status is not None and status >= 500):
            raise PushLater(f"push service answered {status}", _retry_after(error.response)) from None
        raise
    except requests.RequestException as error:
        raise PushLater(f"push service unreachable: {type(error).__name__}") from None
