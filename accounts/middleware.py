from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils import timezone
from django.utils.translation import gettext as _

from .services import SEEN_EVERY_SECONDS, session_touch


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
        return self.get_response(request)
