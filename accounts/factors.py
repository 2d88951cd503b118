"""The second factor: codes of an authenticator app (TOTP) and single-use recovery codes.

A code is accepted for the 30-second step it belongs to and one step either side (a phone's clock
is rarely exact), and never twice: the step of the last code taken is stored, and a code of that
step or an earlier one is refused, even by two requests at the same instant (one UPDATE decides).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

import pyotp
from django.db import transaction
from django.utils import timezone

from . import actions
from .models import Passkey, RecoveryCode, TotpFactor
from .services import account_audit, account_mail, sessions_end

RECOVERY_CODES = 10
STEP_SECONDS = 30
ISSUER = "Karte"


def has_second_factor(user: Any) -> bool:
    """An authenticator app in use, or a passkey (a whole login by itself)."""
    return (
        TotpFactor.objects.filter(user=user, confirmed_at__isnull=False).exists()
        or Passkey.objects.filter(user=user).exists()
    )


def users_with_second_factor(user_ids: list[int]) -> set[int]:
    """Of these logins, the ones with a second factor: two queries, however many."""
    return set(
        TotpFactor.objects.filter(user_id__in=user_ids, confirmed_at__isnull=False).values_list(
            "user_id", flat=True
        )
    ) | set(Passkey.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True))


def has_totp(user: Any) -> bool:
    return TotpFactor.objects.filter(user=user, confirmed_at__isnull=False).exists()


def totp_begin(user: Any) -> TotpFactor:
    """A new secret to scan, not in use until a code from it is typed (totp_confirm)."""
    factor, _ = TotpFactor.objects.update_or_create(
        user=user, confirmed_at__isnull=True, defaults={"secret": pyotp.random_base32(), "last_step": 0}
    )
    return factor


def totp_pending(user: Any) -> TotpFactor | None:
    return TotpFactor.objects.filter(user=user, confirmed_at__isnull=True).first()


def totp_uri(user: Any, factor: TotpFactor) -> str:
    member = getattr(user, "staff_member", None)
    account = f"{member.salon.name}: {user.get_username()}" if member else user.get_username()
    return pyotp.TOTP(factor.secret).provisioning_uri(name=account, issuer_name=ISSUER)


def _matching_step(secret: str, code: str, now: float) -> int | None:
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = int(now // STEP_SECONDS)
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def totp_confirm(user: Any, code: str, *, base_url: str) -> list[str] | None:
    """Turn the pending secret on if `code` comes from it; returns the new recovery codes."""
    factor = totp_pending(user)
    if factor is None:
        return None
    step = _matching_step(factor.secret, code, time.time())
    if step is None:
        return None
    with transaction.atomic():
        TotpFactor.objects.filter(user=user, confirmed_at__isnull=False).delete()
        factor.confirmed_at, factor.last_step = timezone.now(), step
        factor.save(update_fields=["confirmed_at", "last_step"])
        codes = recovery_codes_new(user)
        account_audit(user, actions.FACTOR_ADD, actor=user)
    account_mail(user, "factor_changed", {"change": "added", "base_url": base_url})
    return codes


def totp_verify(user: Any, code: str) -> bool:
    factor = TotpFactor.objects.filter(user=user, confirmed_at__isnull=False).first()
    if factor is None:
        return False
    step = _matching_step(factor.secret, code, time.time())
    if step is None:
        return False
    return bool(TotpFactor.objects.filter(pk=factor.pk, last_step__lt=step).update(last_step=step))


def _code_hash(code: str) -> str:
    normal = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(normal.encode()).hexdigest()


def recovery_codes_new(user: Any) -> list[str]:
    """Ten fresh codes (xxxx-xxxx), shown once; the codes before them stop working."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # nothing to misread: no 0/o, 1/l/i
    codes = ["".join(secrets.choice(alphabet) for _ in range(8)) for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_sha256=_code_hash(code)) for code in codes)
    return [f"{code[:4]}-{code[4:]}" for code in codes]


def recovery_codes_left(user: Any) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def recovery_code_use(user: Any, code: str, *, base_url: str) -> bool:
    used = RecoveryCode.objects.filter(user=user, code_sha256=_code_hash(code), used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if used:
        account_audit(user, actions.RECOVERY_CODE_USE, actor=user, data={"left": recovery_codes_left(user)})
        account_mail(
            user,
            "factor_changed",
            {"change": "recovery", "base_url": base_url, "left": recovery_codes_left(user)},
        )
    return bool(used)


def factors_remove(user: Any, *, actor: Any, base_url: str) -> None:
    """Remove the account's second factor (by the account itself, or by the owner for a lost phone)."""
    with transaction.atomic():
        TotpFactor.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        if actor is not None and actor != user:  # the owner's reset: the lost phone's passkey too
            Passkey.objects.filter(user=user).delete()
        account_audit(user, actions.FACTOR_REMOVE, actor=actor)
    if actor is not None and actor != user:
        sessions_end(user, actor=None)  # reset by the owner: the account starts afresh everywhere
    account_mail(
        user, "factor_changed", {"change": "removed", "base_url": base_url, "by_owner": actor != user}
    )


def recovery_codes_renew(user: Any, *, base_url: str) -> list[str]:
    codes = recovery_codes_new(user)
    account_audit(user, actions.RECOVERY_CODES_NEW, actor=user)
    account_mail(user, "factor_changed", {"change": "codes", "base_url": base_url})
    return codes
