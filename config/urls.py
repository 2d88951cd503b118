from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from common import views as common_views
from staff.views import appointments as staff_appointments
from staff.views import auth as staff_auth
from staff.views.auth import StaffLoginView

handler500 = "common.views.server_error"

admin.site.site_header = _("Karte platform administration")
admin.site.site_title = _("Karte platform")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="staff:customer_list", permanent=False), name="home"),
    path("login/", StaffLoginView.as_view(), name="login"),
    path("login/verify/", staff_auth.login_verify, name="login_verify"),
    path("login/passkey/options/", staff_auth.passkey_login_options, name="passkey_login_options"),
    path("login/passkey/", staff_auth.passkey_login, name="passkey_login"),
    path("alive/", common_views.alive, name="alive"),
    path("too-large/", common_views.too_large, name="too_large"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("lock/", staff_auth.staff_switch, name="staff_switch"),
    path("password/forgot/", staff_auth.password_forgot, name="password_forgot"),
    path("password/reset/<str:token>/", staff_auth.password_reset, name="password_reset"),
    path("invitation/<str:token>/", staff_auth.invitation_accept, name="invitation_accept"),
    path("email/confirm/<str:token>/", staff_auth.email_confirm, name="email_confirm"),
    path("email/undo/<str:token>/", staff_auth.email_undo, name="email_undo"),
    path("calendar/<str:token>.ics", staff_appointments.calendar_feed, name="calendar_feed"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("s/<slug:slug>/", include("customer_app.urls")),
    path("", include("staff.urls")),
]
