"""Sending one push to one phone, as the push services expect it: signed with our VAPID key
(RFC 8292), the payload encrypted to that browser's keys (RFC 8291, aes128gcm). Only the task
queue sends; a request never waits for a push service."""

import datetime
import json
import logging
import threading
import time
import zoneinfo
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from pywebpush import WebPushException, webpush

from audit.services import audit_log
from common.actors import Actor
from notices.models import Notice, NoticeSource

from . import actions
from .keys import vapid_signer
from .models import DeliveryStatus, NoticePush, PushDelivery, PushKind, PushPreference, PushSubscription

log = logging.getLogger("karte.push")

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


_connections = threading.local()


def _session() -> requests.Session:
    """One kept-alive connection per worker thread and push service, not a new one per push."""
    session: requests.Session | None = getattr(_connections, "session", None)
    if session is None:
        session = _connections.session = requests.Session()
    return session


def _retry_after(response: Any) -> int:
    header = getattr(response, "headers", {}).get("Retry-After", "") if response is not None else ""
    try:
        return max(1, int(header))
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER


_signatures: dict[tuple[str, str], tuple[dict[str, str], int]] = {}
# A VAPID signature is good for at most 24 hours; ours are made for 12 and renewed with an hour left.
SIGNATURE_LIFE = 12 * 3600


def _vapid_headers(endpoint: str) -> dict[str, str]:
    """The Authorization header for a push service, signed once and reused while it is valid, not
    signed again for each of 100,000 pushes to the same service."""
    parts = urlsplit(endpoint)
    audience = f"{parts.scheme}://{parts.netloc}"
    key = (audience, settings.VAPID_PRIVATE_KEY)
    now = int(time.time())
    cached = _signatures.get(key)
    if cached is None or cached[1] - now < 3600:
        claims = {"sub": settings.VAPID_SUBJECT, "aud": audience, "exp": now + SIGNATURE_LIFE}
        cached = _signatures[key] = (
            vapid_signer(settings.VAPID_PRIVATE_KEY).sign(claims),
            now + SIGNATURE_LIFE,
        )
    return dict(cached[0])


def push_send(*, subscription: PushSubscription, payload: str) -> None:
    """Send one push. Raises PushGone (and deletes the subscription) when the push service no
    longer knows it, PushLater when it should be sent again later."""
    try:
        webpush(
            subscription_info=subscription.subscription_info(),
            data=payload,
            ttl=TIME_TO_LIVE,
            timeout=SEND_TIMEOUT,
            headers={**_vapid_headers(subscription.endpoint), "Urgency": "normal"},
            requests_session=_session(),
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


# Quiet hours in the salon's time zone: nothing is pushed from 21:00, and what is held goes at 9:00.
QUIET_FROM = datetime.time(21)
QUIET_UNTIL = datetime.time(9)
# A notice is pushed when it becomes visible; the sweep looks this far back for one it missed.
PLAN_WINDOW = datetime.timedelta(hours=24)
BATCH = 500
# A worker holds a batch this long; one killed mid-batch leaves it to the next worker after that.
LEASE = datetime.timedelta(minutes=5)
MAX_ATTEMPTS = 8


def push_due_at(*, salon: Any, now: datetime.datetime) -> datetime.datetime:
    """Now, or 9:00 in the salon's time zone when now falls in its quiet hours."""
    local = now.astimezone(zoneinfo.ZoneInfo(salon.timezone))
    if QUIET_UNTIL <= local.time() < QUIET_FROM:
        return now
    day = local.date() if local.time() < QUIET_UNTIL else local.date() + datetime.timedelta(days=1)
    return datetime.datetime.combine(day, QUIET_UNTIL, tzinfo=local.tzinfo)


def push_kind(notice: Notice) -> str:
    if notice.source == NoticeSource.FOLLOWUP:
        return PushKind.FOLLOWUP
    if notice.source == NoticeSource.REMINDER:
        return PushKind.REMINDER
    return PushKind.CUSTOMER if notice.customer_id else PushKind.EVERYONE


def notice_push_plan(*, notice: Notice, now: datetime.datetime) -> int:
    """Queue the notice's pushes, once, to every phone of its audience that takes push: the
    customer's own phones for a notice to one customer, else every linked phone of the salon.
    Returns how many phones were queued (0 when it was planned before, or may not be pushed)."""
    return notices_push_plan(salon=notice.salon, notices=[notice], now=now)


def notices_push_plan(*, salon: Any, notices: list[Notice], now: datetime.datetime) -> int:
    """notice_push_plan for many notices of one salon at once (a tick's follow-ups or reminders):
    a constant number of queries for the notices to one customer each, whatever their number.
    Returns how many phones were queued."""
    visible = [notice for notice in notices if notice.starts_at <= now < notice.ends_at]
    if not visible:
        return 0
    with transaction.atomic():
        planned = set(NoticePush.objects.filter(notice__in=visible).values_list("notice_id", flat=True))
        fresh = [notice for notice in visible if notice.pk not in planned]
        if not fresh:
            return 0
        # A worker planning the same notice at this moment makes this fail on the notice's unique
        # plan: the task is retried and then finds it planned.
        plans = NoticePush.objects.bulk_create(
            [NoticePush(notice=notice, salon=salon, kind=push_kind(notice)) for notice in fresh]
        )
        if not (push_configured() and salon.customer_app_enabled):
            return 0
        refused = set(
            PushPreference.objects.filter(salon=salon, enabled=False).values_list("kind", flat=True)
        )
        wanted = {plan.notice_id: plan for plan in plans if plan.kind not in refused}
        audience = PushSubscription.objects.filter(
            device__revoked_at__isnull=True, device__customer__archived_at__isnull=True
        )
        due = push_due_at(salon=salon, now=now)
        personal: dict[int, list[Notice]] = {}
        for notice in fresh:
            if notice.customer_id and notice.pk in wanted:
                personal.setdefault(notice.customer_id, []).append(notice)
        queued = 0
        if personal:
            phones = audience.filter(device__customer_id__in=personal).values_list(
                "device_id", "device__customer_id"
            )
            deliveries = [
                PushDelivery(salon=salon, notice=notice, device_id=device_id, due_at=due)
                for device_id, customer_id in phones
                for notice in personal[customer_id]
            ]
            PushDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
            for delivery in deliveries:
                wanted[delivery.notice.pk].phones += 1
            queued += len(deliveries)
        for notice in fresh:
            if notice.customer_id is None and notice.pk in wanted:
                wanted[notice.pk].phones = _push_to_everyone(salon, notice, audience, due)
                queued += wanted[notice.pk].phones
        NoticePush.objects.bulk_update([plan for plan in wanted.values() if plan.phones], ["phones"])
    return queued


def _push_to_everyone(salon: Any, notice: Notice, audience: Any, due: datetime.datetime) -> int:
    """A broadcast's pushes, every linked phone of the salon, written 2,000 at a time."""
    devices = audience.values_list("device_id", flat=True).order_by("device_id")
    queued, last = 0, 0
    # Each chunk starts after the last phone of the one before (not at an offset, which the
    # database would count through again each time): the plan's transaction stays short.
    while chunk := list(devices.filter(device_id__gt=last)[:2000]):
        PushDelivery.objects.bulk_create(
            [PushDelivery(salon=salon, notice=notice, device_id=d, due_at=due) for d in chunk],
            ignore_conflicts=True,
        )
        queued, last = queued + len(chunk), chunk[-1]
    return queued


def notices_to_push(*, now: datetime.datetime) -> list[tuple[int, int]]:
    """(salon id, notice id) of every notice, in any salon, visible now and not yet planned."""
    return list(
        Notice.objects.filter(
            starts_at__lte=now, starts_at__gt=now - PLAN_WINDOW, ends_at__gt=now, push__isnull=True
        )
        .order_by("starts_at")
        .values_list("salon_id", "pk")[:BATCH]
    )


# The outcome of each push is written this many at a time: a worker killed mid-batch sends at most
# these again (a push twice is better than a push lost), and the database is not written per push.
WRITE_EVERY = 50


def pushes_send_due(*, now: datetime.datetime, limit: int = BATCH) -> dict[str, int]:
    """Send up to `limit` pushes that are due, in any salon: each one once, whatever the worker."""
    due = PushDelivery.objects.filter(status=DeliveryStatus.QUEUED, due_at__lte=now).order_by("due_at", "pk")
    ids = list(due.values_list("pk", flat=True)[:limit])
    # Held by this worker: another one (or this batch's own retry) skips them until the lease ends.
    held_until = now + LEASE
    PushDelivery.objects.filter(pk__in=ids, status=DeliveryStatus.QUEUED, due_at__lte=now).update(
        due_at=held_until
    )
    held = (
        PushDelivery.objects.filter(pk__in=ids, due_at=held_until)
        .select_related("salon", "notice", "device")
        .prefetch_related("device__push_subscription")
    )
    outcome = {"sent": 0, "gone": 0, "later": 0, "failed": 0}
    results: list[tuple[int, str, datetime.datetime | None]] = []
    for delivery in held:
        status, retry_at = _deliver(delivery, now)
        outcome[status] += 1
        results.append((delivery.pk, status, retry_at))
        if len(results) >= WRITE_EVERY:
            _write(results, now)
            results = []
    _write(results, now)
    return outcome


FINISHED = {"sent": DeliveryStatus.SENT, "gone": DeliveryStatus.GONE, "failed": DeliveryStatus.FAILED}


def _write(results: list[tuple[int, str, datetime.datetime | None]], now: datetime.datetime) -> None:
    """A few UPDATEs for a run of pushes: one per outcome, one per retry time."""
    tried = {"attempts": F("attempts") + 1}
    for outcome, status in FINISHED.items():
        done = [pk for pk, result, _retry in results if result == outcome]
        if done:
            PushDelivery.objects.filter(pk__in=done).update(status=status, done_at=now, **tried)
    retries: dict[datetime.datetime, list[int]] = {}
    for pk, result, retry_at in results:
        if result == "later" and retry_at is not None:
            retries.setdefault(retry_at, []).append(pk)
    for retry_at, pks in retries.items():
        PushDelivery.objects.filter(pk__in=pks).update(due_at=retry_at, **tried)


def _deliver(delivery: PushDelivery, now: datetime.datetime) -> tuple[str, datetime.datetime | None]:
    subscription = getattr(delivery.device, "push_subscription", None)
    if subscription is None or delivery.device.revoked_at is not None:
        return "gone", None
    notice, salon = delivery.notice, delivery.salon
    url = reverse("customer_app:notice", kwargs={"slug": salon.slug, "pk": notice.pk})
    try:
        push_send(
            subscription=subscription,
            payload=push_payload(salon_name=salon.name, title=notice.title, url=url),
        )
    except PushGone:
        return "gone", None
    except PushLater as later:
        if delivery.attempts + 1 >= MAX_ATTEMPTS:
            return "failed", None
        return "later", now + datetime.timedelta(seconds=later.retry_after)
    except WebPushException:
        log.warning("Push %s refused by the push service.", delivery.pk, exc_info=True)
        return "failed", None
    return "sent", None


def push_preferences(*, salon: Any) -> dict[str, bool]:
    """Each kind and whether the owner lets it be pushed (every kind is, until the owner says not)."""
    chosen = dict(PushPreference.objects.filter(salon=salon).values_list("kind", "enabled"))
    return {kind: chosen.get(kind, True) for kind in PushKind.values}


def push_preferences_update(*, salon: Any, actor: Actor, allowed: set[str]) -> None:
    with transaction.atomic():
        before = push_preferences(salon=salon)
        for kind in PushKind.values:
            PushPreference.objects.update_or_create(
                salon=salon, kind=kind, defaults={"enabled": kind in allowed}
            )
        changed = sorted(kind for kind, enabled in before.items() if enabled != (kind in allowed))
        if changed:
            audit_log(
                salon=salon, actor=actor, action=actions.PUSH_KINDS, target=salon, data={"changed": changed}
            )


def push_subscriptions_forget_salon(*, salon: Any) -> int:
    """The salon no longer has the app: no phone of it takes push any more."""
    deleted, _rows = PushSubscription.objects.filter(salon=salon).delete()
    PushDelivery.objects.filter(salon=salon, status=DeliveryStatus.QUEUED).update(status=DeliveryStatus.GONE)
    return deleted
