"""Staff accounts: invitations, passwords and addresses, signed-in devices and login alerts.

Every change to an account is written to the salon's activity log and told to the account by mail;
a change that could be someone else's doing (a new address, a new device) comes with a way back.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation

from audit.services import audit_log
from common.client_address import client_address
from common.mail import mail_send
from salons.models import Salon, StaffMember

from . import actions
from .devices import device_label
from .models import KnownDevice, StaffSession
from .tokens import EMAIL_CONFIRM_DAYS, EMAIL_UNDO_DAYS, INVITATION_DAYS, RESET_DAYS, account_token

log = logging.getLogger("karte.security")

# Session keys: a login waiting for its second factor (no one is logged in yet), and a session whose
# login showed one.
PENDING_LOGIN = "karte_login_pending"
FACTOR_SHOWN = "karte_factor_shown"

# A session's use is written down at most this often (last seen, and the idle timeout's clock).
SEEN_EVERY_SECONDS = 60


def _member(user: Any) -> StaffMember | None:
    if user is None:
        return None
    try:
        return user.staff_member
    except StaffMember.DoesNotExist:
        return None


def _language(user: Any) -> str:
    member = _member(user)
    return member.language if member is not None else settings.LANGUAGE_CODE


def account_audit(user: Any, action: Any, *, actor: Any, data: dict[str, Any] | None = None) -> None:
    member = _member(user)
    if member is not None:
        audit_log(salon=member.salon, actor=actor, action=action, target=member, data=data)


def account_mail(user: Any, template: str, context: dict[str, Any], *, to: str | None = None) -> bool:
    member = _member(user)
    context = {"user": user, "member": member, "salon": member.salon if member else None, **context}
    return mail_send(
        to=to if to is not None else user.email,
        template=f"accounts/mail/{template}",
        context=context,
        language=_language(user),
    )


def absolute(base_url: str, name: str, token: str) -> str:
    return base_url.rstrip("/") + reverse(name, kwargs={"token": token})


def email_owner(email: str) -> Any:
    """The one active staff login with this address (addresses are compared case-blind)."""
    matches = list(
        get_user_model()
        ._default_manager.select_related("staff_member__salon")
        .filter(email__iexact=email.strip(), is_active=True, staff_member__is_active=True)[:2]
    )
    return matches[0] if len(matches) == 1 else None


def email_taken(email: str, *, but: Any = None) -> bool:
    users = get_user_model()._default_manager.filter(email__iexact=email.strip())
    if but is not None:
        users = users.exclude(pk=but.pk)
    return users.exists()


# Signed-in devices ------------------------------------------------------------------------------


def _session_store() -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore


def _expiry(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)


def session_record_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """user_logged_in: the new session becomes a line of 「ログイン中の端末」."""
    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    now = timezone.now()
    request.session["karte_seen"] = now.timestamp()
    StaffSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "user_agent": request.headers.get("User-Agent", "")[:300],
            "ip_address": client_address(request) or None,
            "last_seen_at": now,
            "expires_at": _expiry(now),
        },
    )
    member = _member(user)
    language = translation.get_language() or settings.LANGUAGE_CODE
    if member is not None and language in dict(settings.LANGUAGES) and member.language != language:
        member.language = language
        member.save(update_fields=["language"])


def session_record_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and getattr(request, "session", None) is not None and request.session.session_key:
        StaffSession.objects.filter(session_key=request.session.session_key).delete()


def session_touch(request: HttpRequest, now: datetime.datetime) -> None:
    """Note a session's use, at most once a minute: its last-seen time and its renewed expiry."""
    key = request.session.session_key
    if key is None:
        return
    request.session["karte_seen"] = now.timestamp()
    updated = StaffSession.objects.filter(session_key=key).update(last_seen_at=now, expires_at=_expiry(now))
    if not updated:  # a session begun before devices were listed
        session_record_login(None, request, request.user)


def sessions_listed(user: Any) -> list[StaffSession]:
    sessions = list(
        StaffSession.objects.filter(user=user, expires_at__gt=timezone.now()).order_by("-last_seen_at")[:50]
    )
    for session in sessions:
        session.label = device_label(session.user_agent)  # type: ignore[attr-defined]
    return sessions


def sessions_end(user: Any, *, actor: Any, keep_key: str | None = None, only_pk: int | None = None) -> int:
    """Log `user` out of every browser (but the one with `keep_key`), or out of the one `only_pk`."""
    sessions = StaffSession.objects.filter(user=user)
    if keep_key:
        sessions = sessions.exclude(session_key=keep_key)
    if only_pk is not None:
        sessions = sessions.filter(pk=only_pk)
    keys = list(sessions.values_list("session_key", flat=True))
    store = _session_store()
    for key in keys:
        store(session_key=key).delete()
    StaffSession.objects.filter(session_key__in=keys).delete()
    if keys and actor is not None:
        account_audit(user, actions.SESSIONS_END, actor=actor, data={"count": len(keys)})
    return len(keys)


def staff_sessions_end_on_leaving(member: StaffMember) -> None:
    # Inside the transaction that deactivates them: both happen, or neither.
    sessions_end(member.user, actor=None)


# Login alerts -----------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def device_login(user: Any, request: HttpRequest, token: str | None, *, announce: bool = True) -> str:
    """Remember the browser that just logged in; a browser this login has not used before is
    announced to the account by mail. Returns the token the browser keeps (a new one if it had none)."""
    now = timezone.now()
    if token:
        known = KnownDevice.objects.filter(user=user, token_sha256=_token_hash(token)).update(
            last_login_at=now
        )
        if known:
            return token
    token = secrets.token_urlsafe(32)
    user_agent = request.headers.get("User-Agent", "")[:300]
    KnownDevice.objects.create(
        user=user, token_sha256=_token_hash(token), user_agent=user_agent, last_login_at=now
    )
    if announce and user.email:
        place = client_address(request)
        account_audit(
            user, actions.LOGIN_NEW_DEVICE, actor=user, data={"device": device_label(user_agent), "ip": place}
        )
        base_url = request.build_absolute_uri("/")
        account_mail(
            user,
            "login_alert",
            {
                "device": device_label(user_agent),
                "place": place,
                "when": timezone.localtime(now),
                "sessions_url": base_url.rstrip("/") + reverse("staff:account"),
                "reset_url": base_url.rstrip("/") + reverse("password_forgot"),
            },
        )
    return token


# Passwords --------------------------------------------------------------------------------------


def password_reset_send(user: Any, *, base_url: str) -> None:
    token = account_token(user, "reset")
    account_mail(
        user, "password_reset", {"link": absolute(base_url, "password_reset", token), "days": RESET_DAYS}
    )
    account_audit(user, actions.RESET_REQUEST, actor=None)


def _password_changed_mail(user: Any, base_url: str) -> None:
    account_mail(
        user,
        "password_changed",
        {"when": timezone.localtime(), "reset_url": base_url.rstrip("/") + reverse("password_forgot")},
    )


def _password_set(
    user: Any, *, password: str, action: Any, actor: Any, base_url: str, keep_key: str | None = None
) -> int:
    """A new password: audited, told to the account, and every other browser logged out."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        account_audit(user, action, actor=actor)
    ended = sessions_end(user, actor=None, keep_key=keep_key)
    _password_changed_mail(user, base_url)
    return ended


def password_reset_complete(user: Any, *, password: str, base_url: str) -> None:
    """A password set through a mailed link: every browser signed in before is logged out."""
    _password_set(user, password=password, action=actions.PASSWORD_RESET, actor=user, base_url=base_url)


def password_change(user: Any, *, password: str, keep_key: str | None, base_url: str) -> int:
    """The account's own new password; other browsers are logged out, this one stays."""
    return _password_set(
        user,
        password=password,
        action=actions.PASSWORD_CHANGE,
        actor=user,
        base_url=base_url,
        keep_key=keep_key,
    )


def password_set_by_owner(user: Any, *, password: str, actor: Any, base_url: str) -> None:
    """For a staff member without an email address who forgot theirs: logged out everywhere."""
    _password_set(
        user, password=password, action=actions.PASSWORD_SET_BY_OWNER, actor=actor, base_url=base_url
    )


# Invitations ------------------------------------------------------------------------------------


def invitation_send(
    *,
    salon: Salon,
    actor: Any,
    display_name: str,
    email: str,
    role: str,
    base_url: str,
    can_view_personal: bool = True,
) -> StaffMember:
    """A staff member who chooses their own login name and password through a mailed link."""
    with transaction.atomic():
        user = get_user_model()._default_manager.create_user(
            username=f"invited-{secrets.token_hex(8)}", email=email.strip()
        )  # no usable password until the invitation is accepted
        member = StaffMember.objects.create(
            salon=salon, user=user, display_name=display_name, role=role, can_view_personal=can_view_personal
        )
        audit_log(
            salon=salon,
            actor=actor,
            action=actions.INVITE,
            target=member,
            summary=display_name,
            data={"role": role},
        )
    invitation_resend(member, actor=None, base_url=base_url, inviter=actor)
    return member


def invitation_pending(member: StaffMember) -> bool:
    return not member.user.has_usable_password() and member.user.last_login is None


def invitation_resend(member: StaffMember, *, actor: Any, base_url: str, inviter: Any = None) -> None:
    token = account_token(member.user, "invite")
    inviter_member = _member(inviter or actor)
    account_mail(
        member.user,
        "invitation",
        {
            "link": absolute(base_url, "invitation_accept", token),
            "days": INVITATION_DAYS,
            "inviter": inviter_member.display_name if inviter_member else "",
        },
    )
    if actor is not None:
        audit_log(
            salon=member.salon, actor=actor, action=actions.INVITE, target=member, summary=member.display_name
        )


def invitation_accept(user: Any, *, username: str, password: str) -> None:
    with transaction.atomic():
        user.username = username
        user.set_password(password)
        user.save(update_fields=["username", "password"])
        account_audit(user, actions.INVITE_ACCEPT, actor=user)


# Email address ----------------------------------------------------------------------------------


def email_change_request(user: Any, *, new_email: str, base_url: str) -> None:
    """Mail a confirmation link to the new address; nothing changes until it is opened."""
    token = account_token(user, "email-confirm", email=new_email)
    account_mail(
        user,
        "email_confirm",
        {
            "link": absolute(base_url, "email_confirm", token),
            "days": EMAIL_CONFIRM_DAYS,
            "new_email": new_email,
        },
        to=new_email,
    )


def email_change_confirm(user: Any, *, new_email: str, base_url: str) -> None:
    """The new address is in use; the old one is told, with a link that puts it back."""
    old_email = user.email
    with transaction.atomic():
        user.email = new_email
        user.save(update_fields=["email"])
        account_audit(user, actions.EMAIL_CHANGE, actor=user)
    if old_email:
        token = account_token(user, "email-undo", email=old_email)
        account_mail(
            user,
            "email_changed",
            {
                "link": absolute(base_url, "email_undo", token),
                "days": EMAIL_UNDO_DAYS,
                "new_email": new_email,
            },
            to=old_email,
        )


def email_change_undo(user: Any, *, old_email: str) -> None:
    """Put the old address back and log every browser out: whoever changed it may be signed in."""
    with transaction.atomic():
        user.email = old_email
        user.save(update_fields=["email"])
        account_audit(user, actions.EMAIL_UNDO, actor=None)
    sessions_end(user, actor=None)


def link_refused(user: Any, purpose: str) -> None:
    """A used or expired link was opened: noted against the account it was made for."""
    if user is not None:
        account_audit(user, actions.LINK_REFUSED, actor=None, data={"link": purpose})
