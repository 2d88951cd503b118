import base64
import datetime
import hashlib
import secrets
import unicodedata
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from audit.services import audit_log
from common.actors import Actor
from common.clock import database_now
from common.ratelimit import rate_limit_count, rate_limit_hit
from customers.models import Customer
from salons.models import Salon, StaffMember

from . import actions, hooks
from .models import Device, LinkCode
from .useragent import device_label

CODE_LIFETIME = datetime.timedelta(minutes=10)
NUMERIC_DIGITS = 8
LAST_SEEN_RESOLUTION = datetime.timedelta(minutes=5)


class LinkError(Exception):
    """Linking failed; `message` says why and what to do, for the customer."""

    MESSAGES = {
        "unknown": _("This code is not valid. Check it and try again, or ask the salon for a new code."),
        "expired": _(
            "This code has expired (codes are valid for 10 minutes). Ask the salon to show a new one."
        ),
        "used": _("This code has already been used. Ask the salon to show a new code."),
        "replaced": _("A newer code was made for you. Scan the code the salon is showing now."),
        "other_salon": _("This code belongs to another salon. Open that salon's app to scan it."),
        "option_off": _("This salon's customer app is not available at the moment."),
        "device_limit": _(
            "This account is linked to as many phones as the salon allows. Ask the salon to unlink one."
        ),
    }

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    @property
    def message(self) -> str:
        return str(self.MESSAGES[self.reason])


@dataclass(frozen=True)
class IssuedCode:
    link_code: LinkCode
    code: str
    numeric: str
    url_code: str = ""


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _numeric_hash(salon: Salon, digits: str) -> str:
    # Only 10^8 numeric codes exist, so they are keyed with the server secret rather than hashed bare.
    return salted_hmac("karte.linking.numeric", f"{salon.pk}:{digits}", algorithm="sha256").hexdigest()


def normalize_numeric(raw: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", raw or "") if ch.isdigit())


# A guess at the 8-digit number must stay hopeless: whatever is typed from however many phones, the
# chance of hitting any live code of the salon within a code's lifetime stays below 1 in 10,000.
GUESS_ODDS = 10_000


def _live_codes() -> QuerySet[LinkCode]:
    """Unused codes that have a number (Step 1's code has none, so it cannot be guessed by typing)."""
    return LinkCode.objects.filter(
        used_at__isnull=True, invalidated_at__isnull=True, expires_at__gt=database_now(), via_url=False
    )


def numeric_attempt_ceiling() -> int:
    """Numeric attempts the salon (in scope) may take per code lifetime, from its live codes.

    With L live codes one random guess hits with probability L / 10^8, so k guesses stay under
    1 / GUESS_ODDS while k < 10^8 / (GUESS_ODDS · L): 10,000 tries with one live code, 100 with 100.
    """
    live = max(1, _live_codes().count())
    ceiling: int = max(1, 10**NUMERIC_DIGITS // (GUESS_ODDS * live))
    return ceiling


def _numeric_key(salon: Salon) -> str:
    return f"link-numeric:salon:{salon.pk}"


def numeric_attempt_hit(*, salon: Salon) -> int | None:
    """Count one numeric attempt for the salon; seconds to wait when the ceiling is reached.

    Only numeric entry pauses then: the QR code has 160 bits and its own per-phone limit.
    """
    window = int(CODE_LIFETIME.total_seconds())
    return rate_limit_hit(_numeric_key(salon), limit=numeric_attempt_ceiling(), window=window)


def numeric_linking_paused(*, salon: Salon) -> bool:
    """Whether numeric entry is paused for the salon now (shown to staff on the QR panel)."""
    window = int(CODE_LIFETIME.total_seconds())
    return rate_limit_count(_numeric_key(salon), window=window) >= numeric_attempt_ceiling()


def link_code_issue(*, salon: Salon, customer: Customer, issued_by: StaffMember) -> IssuedCode:
    """Make a new link code for a customer; any earlier unused code of theirs stops working."""
    if not salon.customer_app_enabled:
        raise LinkError("option_off")
    now = database_now()
    code = base64.b32encode(secrets.token_bytes(20)).decode()  # 160 random bits, QR alphanumeric
    url_code = base64.b32encode(secrets.token_bytes(20)).decode()
    batch = uuid.uuid4()
    with transaction.atomic():
        LinkCode.objects.filter(customer=customer, used_at__isnull=True, invalidated_at__isnull=True).update(
            invalidated_at=now
        )
        live = LinkCode.objects.filter(used_at__isnull=True, invalidated_at__isnull=True, expires_at__gt=now)
        for _attempt in range(10):
            numeric = f"{secrets.randbelow(10**NUMERIC_DIGITS):0{NUMERIC_DIGITS}d}"
            numeric_hash = _numeric_hash(salon, numeric)
            if not live.filter(numeric_hash=numeric_hash).exists():
                break
        link_code = LinkCode.objects.create(
            salon=salon,
            customer=customer,
            issued_by=issued_by,
            code_hash=_sha256(code),
            numeric_hash=numeric_hash,
            created_at=now,
            expires_at=now + CODE_LIFETIME,
            batch=batch,
        )
        # The Step 1 code has no number: it is only ever opened from its QR code.
        LinkCode.objects.create(
            salon=salon,
            customer=customer,
            issued_by=issued_by,
            code_hash=_sha256(url_code),
            numeric_hash="",
            created_at=now,
            expires_at=now + CODE_LIFETIME,
            batch=batch,
            via_url=True,
        )
        audit_log(
            salon=salon,
            actor=issued_by.user,
            action=actions.LINK_CODE_ISSUE,
            target=customer,
            summary=customer.name,
            data={"link_code": link_code.pk},
        )
    return IssuedCode(link_code=link_code, code=code, numeric=numeric, url_code=url_code)


def _find_code(*, salon: Salon, code: str | None, numeric: str | None) -> LinkCode:
    if code:
        found = (
            LinkCode.objects.with_scopes_disabled().filter(code_hash=_sha256(code.strip().upper())).first()
        )
        if found is not None and found.salon_id != salon.pk:
            raise LinkError("other_salon")
    else:
        digits = normalize_numeric(numeric or "")
        found = (
            LinkCode.objects.filter(numeric_hash=_numeric_hash(salon, digits)).order_by("-created_at").first()
            if len(digits) == NUMERIC_DIGITS
            else None
        )
    if found is None:
        raise LinkError("unknown")
    result: LinkCode = found
    return result


def link_code_redeem(
    *, salon: Salon, code: str | None = None, numeric: str | None = None, user_agent: str = ""
) -> tuple[Device, str]:
    """Use a link code once and return the new device with its credential (shown to nobody else).

    The code is claimed with one conditional UPDATE, so of many simultaneous attempts
    exactly one wins and the others see it as used.
    """
    if not salon.customer_app_enabled:
        raise LinkError("option_off")
    link_code = _find_code(salon=salon, code=code, numeric=numeric)
    now = database_now()  # expiry is judged by one clock, whichever app server answers
    with transaction.atomic():
        claimed = LinkCode.objects.filter(
            pk=link_code.pk, used_at__isnull=True, invalidated_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if not claimed:
            link_code.refresh_from_db()
            raise LinkError(link_code.state(now))
        customer = link_code.customer
        cap = salon.max_devices_per_customer
        if cap and Device.objects.filter(customer=customer, revoked_at__isnull=True).count() >= cap:
            raise LinkError("device_limit")
        credential = secrets.token_urlsafe(32)  # 256 random bits
        device = Device.objects.create(
            salon=salon,
            customer=customer,
            credential_hash=_sha256(credential),
            label=device_label(user_agent),
            linked_at=now,
            last_seen_at=now,
        )
        LinkCode.objects.filter(pk=link_code.pk).update(device=device)
        audit_log(
            salon=salon,
            actor=None,
            action=actions.DEVICE_LINK,
            target=device,
            summary=f"{customer.name} {device.label}",
            data={"customer": customer.pk, "link_code": link_code.pk},
        )
    return device, credential


def device_authenticate(*, slug: str, credential: str) -> Device | None:
    """The active device holding this credential for the salon whose app is at `slug`.

    Read with its salon and customer in one query, before any salon scope exists (the app's views
    find their salon through it); a credential of another salon's app finds nothing.
    """
    if not credential:
        return None
    with scopes_disabled():
        return (
            Device.objects.select_related("customer", "salon")
            .filter(
                salon__slug=slug,
                credential_hash=_sha256(credential),
                revoked_at__isnull=True,
                customer__archived_at__isnull=True,
            )
            .first()
        )


def device_touch(*, device: Device) -> None:
    now = timezone.now()
    if now - device.last_seen_at > LAST_SEEN_RESOLUTION:
        Device.objects.filter(pk=device.pk).update(last_seen_at=now)
        device.last_seen_at = now


def device_revoke(*, device: Device, actor: Actor = None) -> Device:
    """Unlink a phone: by staff (actor given) or by the customer from the app's settings."""
    with transaction.atomic():
        Device.objects.filter(pk=device.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        device.refresh_from_db()
        audit_log(
            salon=device.salon,
            actor=actor,
            action=actions.DEVICE_REVOKE if actor is not None else actions.DEVICE_UNLINK,
            target=device,
            summary=f"{device.customer.name} {device.label}",
            data={"customer": device.customer_id},
        )
        hooks.device_unlinked(device=device)
    return device
