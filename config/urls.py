from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from common import views as common_views
from staff.views.auth import StaffLoginView

handler500 = "common.views.server_error"

admin.site.site_header = _("Karte platform administration")
admin.site.site_title = _("Karte platform")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="staff:customer_list", permanent=False), name="home"),
    path("login/", StaffLoginView.as_view(), name="login"),
    path("alive/", common_views.alive, name="alive"),
    path("too-large/", common_views.too_large, name="too_large"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("s/<slug:slug>/", include("customer_app.urls")),
    path("", include("staff.urls")),
]
