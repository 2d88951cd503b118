import unicodedata

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm

from common.client_address import client_address
from common.ratelimit import rate_limit_hit, retry_message

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
