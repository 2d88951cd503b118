from django.urls import path

from . import sheets, views

app_name = "customer_app"

urlpatterns = [
    path("", views.home, name="home"),
    path("link/", views.link, name="link"),
    path("kartes/<int:pk>/", views.karte_detail, name="karte"),
    path("images/<uuid:pk>/<str:size>/", views.image, name="image"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("notices/<int:pk>/read/", views.notice_read, name="notice_read"),
    path("settings/", views.app_settings, name="settings"),
    path("salon/", views.salon_info, name="salon"),
    path("sheet/", sheets.app_sheet, name="sheet"),
    path("visible.json", views.visible, name="visible"),
    path("settings/data-request/", views.data_request, name="data_request"),
    path("unlink/", views.unlink, name="unlink"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("icons/<int:size>.png", views.icon, name="icon"),
]
