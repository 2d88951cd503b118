"""「アカウント」: one's own password, email address and signed-in devices."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import factors, passkeys
from accounts import services as accounts
from accounts.models import StaffSession
from salons.access import staff_required

from ..forms.account import EmailChangeForm, PasswordChangeForm
from ..qr import qr_svgs
from .appointments import NEW_FEED_URL


def _page(request, *, password_form=None, email_form=None, status=200):
    context = {
        "password_form": password_form or PasswordChangeForm(request.user),
        "email_form": email_form or EmailChangeForm(request.user),
        "sessions": accounts.sessions_listed(request.user),
        "current_key": request.session.session_key,
        "second_factor": factors.has_second_factor(request.user),
        "calendar_on": hasattr(request.staff, "calendar_feed"),
        "calendar_url": request.session.pop(NEW_FEED_URL, None),
    }
    return render(request, "staff/account/account.html", context, status=status)


@staff_required
def account(request):
    return _page(request)


@staff_required
@require_POST
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST)
    if not form.is_valid():
        return _page(request, password_form=form, status=400)
    ended = accounts.password_change(
        request.user,
        password=form.cleaned_data["new_password1"],
        keep_key=request.session.session_key,
        base_url=request.build_absolute_uri("/"),
    )
    update_session_auth_hash(request, request.user)
    message = _("Your password was changed.")
    if ended:
        message += " " + _("Other devices were logged out.")
    messages.success(request, message)
    return redirect("staff:account")


@staff_required
@require_POST
def email_change(request):
    form = EmailChangeForm(request.user, request.POST)
    if not form.is_valid():
        return _page(request, email_form=form, status=400)
    accounts.email_change_request(
        request.user, new_email=form.cleaned_data["email"], base_url=request.build_absolute_uri("/")
    )
    messages.success(
        request,
        _("A confirmation link was sent to %(email)s. The address changes when it is opened.")
        % {"email": form.cleaned_data["email"]},
    )
    return redirect("staff:account")


@staff_required
@require_POST
def session_end(request, pk):
    """Log one of one's own devices out; another login's devices are a 404."""
    session = StaffSession.objects.filter(pk=pk, user=request.user).first()
    if session is None:
        raise Http404
    if session.session_key == request.session.session_key:
        logout(request)
        return redirect("login")
    accounts.sessions_end(request.user, actor=request.user, only_pk=session.pk)
    messages.success(request, _("That device was logged out."))
    return redirect("staff:account")


@staff_required
@require_POST
def sessions_end_others(request):
    ended = accounts.sessions_end(request.user, actor=request.user, keep_key=request.session.session_key)
    messages.success(request, _("Other devices logged out: %(count)d.") % {"count": ended})
    return redirect("staff:account")


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) and target.startswith("/"):
        return target
    return reverse("staff:customer_list")


@staff_required
def two_factor(request):
    """「2段階認証」: set up an authenticator app, keep recovery codes, or remove it."""
    user, base_url = request.user, request.build_absolute_uri("/")
    action = request.POST.get("action") if request.method == "POST" else None
    error, codes, status = None, None, 200
    if action == "begin":
        factors.totp_begin(user)
    elif action == "confirm":
        codes = factors.totp_confirm(user, request.POST.get("code", ""), base_url=base_url)
        if codes is None:
            error, status = _("This code is not correct. Type the 6 digits the app shows now."), 400
        else:
            request.session[accounts.FACTOR_SHOWN] = True
    elif action in {"codes", "remove"}:
        if not user.check_password(request.POST.get("password", "")):
            error, status = _("The current password is not correct."), 400
        elif action == "codes":
            codes = factors.recovery_codes_renew(user, base_url=base_url)
        else:
            factors.factors_remove(user, actor=user, base_url=base_url)
            request.session.pop(accounts.FACTOR_SHOWN, None)
            messages.success(request, _("The second factor was removed."))
            return redirect("staff:two_factor")
    pending = factors.totp_pending(user)
    codes = codes or request.session.pop(passkeys.NEW_RECOVERY_CODES, None)
    context = {
        "totp": factors.has_totp(user),
        "passkeys": user.passkeys.order_by("created_at"),
        "active": factors.has_totp(user),
        "pending": pending,
        "qr": qr_svgs(factors.totp_uri(user, pending))[0] if pending else None,
        "secret": " ".join(pending.secret[i : i + 4] for i in range(0, len(pending.secret), 4))
        if pending
        else "",
        "codes": codes,
        "codes_left": factors.recovery_codes_left(user),
        "error": error,
        "action": action,
        "next": _next_url(request),
        "required": request.staff.second_factor_required,
    }
    return render(request, "staff/account/two_factor.html", context, status=status)


def _json_error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@staff_required
@require_POST
def passkey_register_options(request):
    return HttpResponse(passkeys.registration_options(request, request.user), content_type="application/json")


@staff_required
@require_POST
def passkey_register(request):
    try:
        passkeys.register(request, request.user, passkeys.parse_credential(request.body))
    except passkeys.PasskeyRefused:
        return _json_error(_("The passkey could not be added. Please try again."))
    request.session[accounts.FACTOR_SHOWN] = True
    messages.success(request, _("The passkey was added. Next time, log in with it."))
    return JsonResponse(
        {"redirect": f"{reverse('staff:two_factor')}?{urlencode({'next': _next_url(request)})}"}
    )


@staff_required
@require_POST
def passkey_delete(request, pk):
    if not passkeys.passkey_delete(request.user, pk):
        raise Http404
    messages.success(request, _("The passkey was removed."))
    return redirect("staff:two_factor")
