from django.contrib.auth import views as auth_views
from django.utils.translation import gettext as _

from common.ratelimit import rate_limit_hit

# Password guessing is held back per address and per login name.
LOGIN_LIMIT_PER_CLIENT = (30, 600)
LOGIN_LIMIT_PER_USERNAME = (10, 600)


class StaffLoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "").strip().lower()
        retry_after = rate_limit_hit(
            f"login:client:{request.META.get('REMOTE_ADDR', '')}",
            limit=LOGIN_LIMIT_PER_CLIENT[0],
            window=LOGIN_LIMIT_PER_CLIENT[1],
        ) or rate_limit_hit(
            f"login:user:{username}", limit=LOGIN_LIMIT_PER_USERNAME[0], window=LOGIN_LIMIT_PER_USERNAME[1]
        )
        if retry_after is not None:
            form = self.get_form_class()(request, initial={"username": request.POST.get("username", "")})
            message = _("Too many attempts. Please wait %(minutes)d minutes and try again.") % {
                "minutes": max(1, round(retry_after / 60))
            }
            context = self.get_context_data(form=form, limit_error=message)
            response = self.render_to_response(context, status=429)
            response["Retry-After"] = str(retry_after)
            return response
        return super().post(request, *args, **kwargs)
