import logging
import time
import unicodedata
from contextlib import nullcontext
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_scopes import scope

from accounts import actions as account_actions
from accounts import passkeys
from accounts import services as accounts
from accounts.factors import has_second_factor, has_totp, recovery_code_use, totp_verify
from accounts.services import PENDING_LOGIN, device_login
from accounts.tokens import (
    EMAIL_CONFIRM_DAYS,
    EMAIL_UNDO_DAYS,
    INVITATION_DAYS,
    RESET_DAYS,
    TokenRefused,
    account_token_read,
)
from common.client_address import client_address
from common.ratelimit import rate_limit_count, rate_limit_hit, retry_message

from ..forms.account import InvitationAcceptForm, PasswordForgotForm, SecondFactorForm

security_log = logging.getLogger("karte.security")

# Password guessing is held back per address and per login name.
LOGIN_LIMIT_PER_CLIENT = (30, 600)
LOGIN_LIMIT_PER_USERNAME = (10, 600)


def normalize_login_name(raw: str) -> str:
    """The one form of a typed login name, for authenticating and for counting attempts alike.

    Authentication compares the NFKC form (ｖｉｃａ is vica), so the attempt limit must count
    every spelling that reaches the same login as one name.
    """
    return unicodedata.normalize("NFKC", raw or "").strip()


class StaffAuthenticationForm(AuthenticationForm):
    def clean_username(self):
        return normalize_login_name(self.cleaned_data.get("username", ""))


class StaffLoginView(auth_views.LoginView):
    form_class = StaffAuthenticationForm

    @property
    def redirect_authenticated_user(self):  # type: ignore[override]
        # Someone logged in who opens the login page goes on to their work; but a login POST is
        # always a login: whatever session the browser carries (even another salon's), the
        # credentials typed now decide who works here, and login() replaces that session.
        return self.request.method != "POST"

    def post(self, request, *args, **kwargs):
        username = normalize_login_name(request.POST.get("username", "")).casefold()
        retry_after = rate_limit_hit(
            f"login:client:{client_address(request)}",
            limit=LOGIN_LIMIT_PER_CLIENT[0],
            window=LOGIN_LIMIT_PER_CLIENT[1],
        ) or rate_limit_hit(
            f"login:user:{username}", limit=LOGIN_LIMIT_PER_USERNAME[0], window=LOGIN_LIMIT_PER_USERNAME[1]
        )
        if retry_after is not None:
            form = self.get_form_class()(request, initial={"username": request.POST.get("username", "")})
            message = retry_message(retry_after)
            context = self.get_context_data(form=form, limit_error=message)
            response = self.render_to_response(context, status=429)
            response["Retry-After"] = str(retry_after)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        user, request = form.get_user(), self.request
        if has_second_factor(user):
            # The password was right; the login happens once the second factor is shown too.
            request.session[PENDING_LOGIN] = {
                "user": user.pk,
                "backend": user.backend,
                "at": time.time(),
                "next": self.get_success_url(),
            }
            return redirect("login_verify")
        with in_salon_of(user):
            response = super().form_valid(form)
        member = getattr(user, "staff_member", None)
        if member is not None and (member.second_factor_required or member.is_owner):
            # Owners are asked at each login until they set one up; where the salon requires one,
            # the staff pages wait for it (SessionActivityMiddleware).
            response = redirect(
                f"{reverse('staff:two_factor')}?{urlencode({'next': self.get_success_url()})}"
            )
        with in_salon_of(user):
            return remember_device(request, response, user)


def in_salon_of(user):
    """A login's writes (its last-login time, its line in 「ログイン中の端末」, the browser's token)
    are made in the user's salon's scope, so that they move only that salon's kept pages."""
    member = getattr(user, "staff_member", None)
    return scope(salon=member.salon) if member is not None else nullcontext()


DEVICE_COOKIE = "karte_device"
DEVICE_COOKIE_AGE = 60 * 60 * 24 * 400


def remember_device(request, response, user, *, announce: bool = True):
    """The browser that just logged in keeps a token; a browser new to this login is announced."""
    token = device_login(user, request, request.COOKIES.get(DEVICE_COOKIE), announce=announce)
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=DEVICE_COOKIE_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )
    return response


# Mailed links: a guessed or mangled link costs a try; too many from one address are held back.
RESET_LIMIT_PER_CLIENT = (10, 3600)
RESET_LIMIT_PER_EMAIL = (3, 3600)
LINK_LIMIT_PER_CLIENT = (20, 3600)


def _held_back(request, retry_after: int, template: str, context: dict) -> HttpResponse:
    response = render(request, template, {**context, "limit_error": retry_message(retry_after)}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def password_forgot(request):
    """The same answer whether or not an account uses the address typed."""
    form = PasswordForgotForm(request.POST or None)
    template = "registration/password_forgot.html"
    if request.method == "POST" and form.is_valid():
        retry_after = rate_limit_hit(
            f"reset:client:{client_address(request)}",
            limit=RESET_LIMIT_PER_CLIENT[0],
            window=RESET_LIMIT_PER_CLIENT[1],
        )
        if retry_after is not None:
            return _held_back(request, retry_after, template, {"form": form})
        email = form.cleaned_data["email"].strip().casefold()
        over = rate_limit_hit(
            f"reset:email:{email}", limit=RESET_LIMIT_PER_EMAIL[0], window=RESET_LIMIT_PER_EMAIL[1]
        )
        user = accounts.email_owner(email)
        if user is not None and over is None:
            accounts.password_reset_send(user, base_url=request.build_absolute_uri("/"))
        return render(
            request, "registration/password_forgot_sent.html", {"email": form.cleaned_data["email"]}
        )
    return render(request, template, {"form": form, "days": RESET_DAYS})


def _link_user(request, token: str, purpose: str, max_age_days: int):
    """The account a mailed link names, or the page that says why the link does not work."""
    key = f"badlink:client:{client_address(request)}"
    window = LINK_LIMIT_PER_CLIENT[1]
    if rate_limit_count(key, window=window) >= LINK_LIMIT_PER_CLIENT[0]:
        security_log.warning("Link guessing held back: %s link from %s", purpose, client_address(request))
        return None, _held_back(request, window, "registration/link_refused.html", {"reason": "held"})
    try:
        user, extra = account_token_read(token, purpose, max_age_days=max_age_days)
    except TokenRefused as refused:
        security_log.warning("Refused %s link (%s) from %s", purpose, refused.reason, client_address(request))
        rate_limit_hit(key, limit=LINK_LIMIT_PER_CLIENT[0], window=window)
        accounts.link_refused(refused.user, purpose)
        context = {"reason": refused.reason, "purpose": purpose}
        return None, render(
            request, "registration/link_refused.html", context, status=410 if refused.user else 404
        )
    return (user, extra), None


def password_reset(request, token):
    found, refused = _link_user(request, token, "reset", RESET_DAYS)
    if refused:
        return refused
    user, _extra = found
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        accounts.password_reset_complete(
            user, password=form.cleaned_data["new_password1"], base_url=request.build_absolute_uri("/")
        )
        messages.success(request, _("Your password was changed. Log in with the new password."))
        return redirect("login")
    return render(request, "registration/password_reset.html", {"form": form, "account": user})


def invitation_accept(request, token):
    found, refused = _link_user(request, token, "invite", INVITATION_DAYS)
    if refused:
        return refused
    user, _extra = found
    member = getattr(user, "staff_member", None)
    if member is None or not member.is_active:
        return render(
            request, "registration/link_refused.html", {"reason": "used", "purpose": "invite"}, status=410
        )
    suggestion = user.email.split("@")[0] if user.email else ""
    form = InvitationAcceptForm(user, request.POST or None, initial={"username": suggestion})
    if request.method == "POST" and form.is_valid():
        accounts.invitation_accept(
            user, username=form.cleaned_data["username"], password=form.cleaned_data["new_password1"]
        )
        with in_salon_of(user):
            login(request, user, backend="salons.backends.StaffBackend")
            messages.success(request, _("Welcome to %(salon)s.") % {"salon": member.salon.name})
            # This browser just proved the mailbox: it is the account's first, not a new one to announce.
            return remember_device(request, redirect("staff:customer_list"), user, announce=False)
    return render(request, "registration/invitation_accept.html", {"form": form, "member": member})


def email_confirm(request, token):
    found, refused = _link_user(request, token, "email-confirm", EMAIL_CONFIRM_DAYS)
    if refused:
        return refused
    user, extra = found
    if request.method == "POST":
        if accounts.email_taken(extra["email"], but=user):
            return render(
                request, "registration/link_refused.html", {"reason": "taken", "purpose": "email-confirm"}
            )
        accounts.email_change_confirm(
            user, new_email=extra["email"], base_url=request.build_absolute_uri("/")
        )
        messages.success(request, _("Your email address is now %(email)s.") % {"email": extra["email"]})
        return redirect("staff:account" if request.user == user else "login")
    return render(request, "registration/email_confirm.html", {"email": extra["email"], "account": user})


def email_undo(request, token):
    found, refused = _link_user(request, token, "email-undo", EMAIL_UNDO_DAYS)
    if refused:
        return refused
    user, extra = found
    if request.method == "POST":
        accounts.email_change_undo(user, old_email=extra["email"])
        if request.user == user:
            logout(request)
        return render(request, "registration/email_undone.html", {"email": extra["email"]})
    return render(request, "registration/email_undo.html", {"email": extra["email"], "account": user})


@require_POST
def staff_switch(request):
    """Lock a shared tablet for the next staff member: a logout that keeps this browser's drafts
    (each staff member's own, by key) for when their author logs in again."""
    logout(request)
    messages.info(request, _("Locked. The next staff member can log in; drafts on this tablet are kept."))
    return redirect("login")


# Second-factor codes: a few tries per account, then a wait; the password step must be done again
# after 5 minutes.
FACTOR_LIMIT_PER_USER = (5, 300)
FACTOR_LIMIT_PER_CLIENT = (20, 600)
PENDING_SECONDS = 300


def login_verify(request):
    """The second step of a login: a code of the authenticator app, or a recovery code."""
    pending = request.session.get(PENDING_LOGIN)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING_LOGIN, None)
        messages.info(request, _("Please log in again."))
        return redirect("login")
    user = get_user_model()._default_manager.select_related("staff_member__salon").get(pk=pending["user"])
    form = SecondFactorForm(request.POST or None)
    template = "registration/login_verify.html"
    if request.method == "POST":
        retry_after = rate_limit_hit(
            f"factor:user:{user.pk}", limit=FACTOR_LIMIT_PER_USER[0], window=FACTOR_LIMIT_PER_USER[1]
        ) or rate_limit_hit(
            f"factor:client:{client_address(request)}",
            limit=FACTOR_LIMIT_PER_CLIENT[0],
            window=FACTOR_LIMIT_PER_CLIENT[1],
        )
        if retry_after is not None:
            accounts.account_audit(user, account_actions.FACTOR_HELD, actor=None)
            context = {"form": form, "has_totp": has_totp(user), "has_passkey": user.passkeys.exists()}
            return _held_back(request, retry_after, template, context)
        if form.is_valid():
            code = form.cleaned_data["code"]
            base_url = request.build_absolute_uri("/")
            if totp_verify(user, code) or recovery_code_use(user, code, base_url=base_url):
                del request.session[PENDING_LOGIN]
                with in_salon_of(user):
                    login(request, user, backend=pending["backend"])
                request.session[accounts.FACTOR_SHOWN] = True
                next_url = pending["next"]
                if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                    next_url = reverse("staff:customer_list")
                return remember_device(request, redirect(next_url), user)
            accounts.account_audit(user, account_actions.FACTOR_REFUSED, actor=None)
            form.add_error("code", _("This code is not correct. Type the 6 digits the app shows now."))
    context = {"form": form, "has_totp": has_totp(user), "has_passkey": user.passkeys.exists()}
    return render(request, template, context)


@require_POST
def passkey_login_options(request):
    return HttpResponse(passkeys.authentication_options(request), content_type="application/json")


@require_POST
def passkey_login(request):
    """A whole login with a passkey (from the login page, or as the second step after a password)."""
    retry_after = rate_limit_hit(
        f"passkey:client:{client_address(request)}",
        limit=FACTOR_LIMIT_PER_CLIENT[0],
        window=FACTOR_LIMIT_PER_CLIENT[1],
    )
    if retry_after is not None:
        return JsonResponse(
            {"error": retry_message(retry_after)}, status=429, headers={"Retry-After": str(retry_after)}
        )
    pending = request.session.get(PENDING_LOGIN) or {}
    try:
        user = passkeys.authenticate(request, passkeys.parse_credential(request.body))
    except passkeys.PasskeyRefused:
        return JsonResponse(
            {"error": _("This passkey could not log you in. Use your password instead.")}, status=400
        )
    if not user.is_active or getattr(user, "staff_member", None) is None or not user.staff_member.is_active:
        return JsonResponse(
            {"error": _("This passkey could not log you in. Use your password instead.")}, status=400
        )
    request.session.pop(PENDING_LOGIN, None)
    with in_salon_of(user):
        login(request, user, backend="salons.backends.StaffBackend")
    request.session[accounts.FACTOR_SHOWN] = True
    accounts.account_audit(user, account_actions.PASSKEY_LOGIN, actor=user)
    next_url = pending.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}) or not next_url:
        next_url = reverse("staff:customer_list")
    return remember_device(request, JsonResponse({"redirect": next_url}), user)
