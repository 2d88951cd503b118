from django.urls import include, path

from .views import appointments, booking, install, kartes, linking, notices, push, settings, sheets

app_name = "customer_app"

# The salon's app, at /s/<salon>/app/.
app_patterns = [
    path("", kartes.home, name="home"),
    path("link/", linking.link, name="link"),
    path("kartes/<int:pk>/", kartes.karte_detail, name="karte"),
    path("timeline/", kartes.timeline, name="timeline"),
    path("images/<uuid:pk>/<str:size>/", kartes.image, name="image"),
    path("booking/", booking.booking, name="booking"),
    path("booking/<int:pk>/accept/", booking.booking_accept, name="booking_accept"),
    path("appointments/<int:pk>.ics", appointments.appointment_ics, name="appointment_ics"),
    path("appointments/<int:pk>/cancel/", appointments.appointment_cancel, name="appointment_cancel"),
    path("appointments/<int:pk>/change/", appointments.appointment_change, name="appointment_change"),
    path("photos/<int:pk>/portfolio/", kartes.photo_portfolio, name="photo_portfolio"),
    path("notices/", notices.notice_list, name="notices"),
    path("notices/<int:pk>/", notices.notice_detail, name="notice"),
    path("notices/<int:pk>/read/", notices.notice_read, name="notice_read"),
    path("settings/", settings.app_settings, name="settings"),
    path("salon/", settings.salon_info, name="salon"),
    path("sheet/", sheets.app_sheet, name="sheet"),
    path("visible.json", kartes.visible, name="visible"),
    path("settings/data-request/", settings.data_request, name="data_request"),
    path("settings/push/", push.push_subscribe, name="push_subscribe"),
    path("settings/push/off/", push.push_unsubscribe, name="push_unsubscribe"),
    path("unlink/", settings.unlink, name="unlink"),
    path("manifest.webmanifest", install.manifest, name="manifest"),
    path("sw.js", install.service_worker, name="service_worker"),
    path("offline/", install.offline, name="offline"),
    path("icons/<int:size>.png", install.icon, name="icon"),
]

# Everything a customer's phone opens under /s/<salon>/: the app, and the counselling sheet that
# anyone can fill in from the counter's QR code or a link, with no app.
urlpatterns = [
    path("app/", include(app_patterns)),
    path("sheet/sent/", sheets.sheet_sent, name="sheet_sent"),
    path("sheet/<str:token>/", sheets.sheet_public, name="sheet_public"),
]
