"""Passkeys (WebAuthn, through the `webauthn` library): registering one on the account page and
logging in with it from the login page.

The relying party is the host the page was served from (the name in the address bar, without the
port), so a passkey made on karte.example.jp works there only. Each ceremony's challenge is kept in
the session for five minutes and used once.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from . import actions
from .devices import device_label
from .factors import recovery_codes_new
from .models import Passkey, RecoveryCode
from .services import account_audit, account_mail

RP_NAME = "Karte"
CHALLENGE_SECONDS = 300
_REGISTRATION = "karte_passkey_registration"
_AUTHENTICATION = "karte_passkey_authentication"
NEW_RECOVERY_CODES = "karte_new_recovery_codes"


class PasskeyRefused(Exception):
    pass


def _rp_id(request: HttpRequest) -> str:
    return (
        request.get_host().rsplit(":", 1)[0] if not request.get_host().startswith("[") else request.get_host()
    )


def _origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _user_handle(user: Any) -> bytes:
    # Stable for the account, and says nothing about it (no login name or number inside).
    return salted_hmac("karte.accounts.passkey-user", str(user.pk)).digest()[:16]


def _remember(request: HttpRequest, key: str, challenge: bytes) -> None:
    request.session[key] = {"challenge": bytes_to_base64url(challenge), "at": time.time()}


def _take(request: HttpRequest, key: str) -> bytes:
    kept = request.session.pop(key, None)
    if not kept or time.time() - kept["at"] > CHALLENGE_SECONDS:
        raise PasskeyRefused("expired")
    return base64url_to_bytes(kept["challenge"])


def registration_options(request: HttpRequest, user: Any) -> str:
    member = getattr(user, "staff_member", None)
    options = generate_registration_options(
        rp_id=_rp_id(request),
        rp_name=RP_NAME,
        user_id=_user_handle(user),
        user_name=user.get_username(),
        user_display_name=member.display_name if member else user.get_username(),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(credential))
            for credential in Passkey.objects.filter(user=user).values_list("credential_id", flat=True)
        ],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
    )
    _remember(request, _REGISTRATION, options.challenge)
    return options_to_json(options)


def register(request: HttpRequest, user: Any, credential: dict[str, Any]) -> Passkey:
    challenge = _take(request, _REGISTRATION)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=_rp_id(request),
            expected_origin=_origin(request),
            require_user_verification=True,
        )
    except (InvalidRegistrationResponse, ValueError, KeyError, TypeError) as error:
        raise PasskeyRefused(str(error)) from None
    passkey = Passkey.objects.create(
        user=user,
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        name=device_label(request.headers.get("User-Agent", ""))[:80],
    )
    account_audit(user, actions.PASSKEY_ADD, actor=user, data={"name": passkey.name})
    if not RecoveryCode.objects.filter(user=user).exists():
        # The first second factor: recovery codes for the day the device is lost, shown once.
        request.session[NEW_RECOVERY_CODES] = recovery_codes_new(user)
    account_mail(user, "factor_changed", {"change": "passkey_added", "name": passkey.name})
    return passkey


def authentication_options(request: HttpRequest) -> str:
    # No list of credentials: the browser offers the passkeys it holds for this site (discoverable).
    options = generate_authentication_options(
        rp_id=_rp_id(request), user_verification=UserVerificationRequirement.REQUIRED
    )
    _remember(request, _AUTHENTICATION, options.challenge)
    return options_to_json(options)


def authenticate(request: HttpRequest, credential: dict[str, Any]) -> Any:
    """The account whose passkey signed this login's challenge; PasskeyRefused otherwise."""
    challenge = _take(request, _AUTHENTICATION)
    passkey = (
        Passkey.objects.select_related("user__staff_member__salon")
        .filter(credential_id=str(credential.get("id", ""))[:1400])
        .first()
    )
    if passkey is None:
        raise PasskeyRefused("unknown")
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=_rp_id(request),
            expected_origin=_origin(request),
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError) as error:
        account_audit(passkey.user, actions.FACTOR_REFUSED, actor=None, data={"passkey": passkey.name})
        raise PasskeyRefused(str(error)) from None
    Passkey.objects.filter(pk=passkey.pk).update(
        sign_count=verified.new_sign_count, last_used_at=timezone.now()
    )
    return passkey.user


def passkey_delete(user: Any, pk: int) -> bool:
    passkey = Passkey.objects.filter(user=user, pk=pk).first()
    if passkey is None:
        return False
    passkey.delete()
    account_audit(user, actions.PASSKEY_REMOVE, actor=user, data={"name": passkey.name})
    account_mail(user, "factor_changed", {"change": "passkey_removed", "name": passkey.name})
    return True


def parse_credential(body: bytes) -> dict[str, Any]:
    try:
        credential = json.loads(body or b"{}")
    except ValueError:
        raise PasskeyRefused("unreadable") from None
    if not isinstance(credential, dict):
        raise PasskeyRefused("unreadable")
    return credential
