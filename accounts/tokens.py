"""Signed, expiring links for mail: a password reset, an invitation, an address to confirm or undo.

Nothing is stored: the link carries the account and a fingerprint of the account's state, signed
with the secret key. A reset or invitation link names the password and last login as they were, so
it works once (setting the password or logging in changes both) and never after it expires.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

RESET_DAYS = 1
INVITATION_DAYS = 7
EMAIL_CONFIRM_DAYS = 2
EMAIL_UNDO_DAYS = 14


# What each kind of link depends on: the link stops working when any of these changes.
_STATE = {
    "reset": ("password", "last_login", "email"),
    "invite": ("password", "last_login"),
    "email-confirm": ("email",),
    # An undo must outlive whatever the person who changed the address does next (log in, change
    # the password): it ends only with its time.
    "email-undo": (),
}


def _fingerprint(user: Any, purpose: str) -> str:
    state = "|".join([str(user.pk), *(str(getattr(user, name)) for name in _STATE[purpose])])
    return salted_hmac(f"karte.accounts.{purpose}", state).hexdigest()[:32]


def account_token(user: AbstractBaseUser, purpose: str, **extra: str) -> str:
    """A link token for `purpose` that stays good until the account changes or it expires."""
    payload = {"u": user.pk, "f": _fingerprint(user, purpose), **extra}
    return signing.dumps(payload, salt=f"karte.accounts.{purpose}", compress=True)


class TokenRefused(Exception):
    """A link that is forged or mangled ("bad"), past its time ("expired") or already used ("used")."""

    def __init__(self, reason: str, user: Any = None):
        super().__init__(reason)
        self.reason = reason
        self.user = user


def account_token_read(token: str, purpose: str, *, max_age_days: int) -> tuple[Any, dict[str, str]]:
    """The account a link was made for, with the link's extra values; TokenRefused otherwise."""
    salt = f"karte.accounts.{purpose}"
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age_days * 86400)
    except signing.SignatureExpired:
        raise TokenRefused("expired") from None
    except signing.BadSignature:
        raise TokenRefused("bad") from None
    user = (
        get_user_model()
        ._default_manager.select_related("staff_member__salon")
        .filter(pk=payload["u"])
        .first()
    )
    if user is None:
        raise TokenRefused("bad")
    if not constant_time_compare(payload["f"], _fingerprint(user, purpose)):
        raise TokenRefused("used", user)
    extra = {key: value for key, value in payload.items() if key not in {"u", "f"}}
    return user, extra
