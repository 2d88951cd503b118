import functools
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .factors import has_second_factor
from .services import FACTOR_SHOWN, SEEN_EVERY_SECONDS, session_touch


class SessionActivityMiddleware:
    """Keeps 「ログイン中の端末」 current and applies the salon's idle timeout.

    A session's use is noted at most once a minute (one UPDATE); a session unused for longer than
    the salon's idle timeout is logged out on its next request, which goes to the login page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/admin/") or not request.user.is_authenticated:
            return self.get_response(request)
        now = timezone.now()
        seen = request.session.get("karte_seen")
        member = getattr(request.user, "staff_member", None)
        timeout = member.salon.idle_timeout_minutes if member is not None else None
        if timeout and seen is not None and now.timestamp() - seen > timeout * 60:
            logout(request)
            message = _(
                "You were logged out after %(minutes)d minutes without use. Drafts on this tablet are kept."
            )
            messages.info(request, message % {"minutes": timeout})
            return redirect_to_login(request.get_full_path())
        if seen is None or now.timestamp() - seen >= SEEN_EVERY_SECONDS:
            session_touch(request, now)
        if member is not None and member.second_factor_required and not request.session.get(FACTOR_SHOWN):
            return self.second_factor_missing(request)
        return self.get_response(request)

    def second_factor_missing(self, request):
        """Where the salon requires a second factor, a session whose login did not show one reaches
        only the page that sets one up (and logging out)."""
        if request.path in _open_paths():
            return self.get_response(request)
        if has_second_factor(request.user):
            # Set up since this session began (on another device): this login must show it.
            logout(request)
            return redirect_to_login(request.get_full_path())
        messages.info(request, _("Your salon asks for a second factor. Set it up to continue."))
        return redirect(f"{reverse('staff:two_factor')}?{urlencode({'next': request.get_full_path()})}")


@functools.cache
def _open_paths() -> frozenset[str]:
    return frozenset(reverse(name) for name in ("staff:two_factor", "logout", "staff_switch", "set_language"))
