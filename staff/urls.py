from django.urls import path

from .views import (
    analytics,
    customer_app,
    customers,
    followups,
    kartes,
    menus,
    notices,
    privacy,
    salon,
    transfer,
)

app_name = "staff"

urlpatterns = [
    path("customers/", customers.customer_list, name="customer_list"),
    path("customers/new/", customers.customer_create_view, name="customer_create"),
    path("customers/<int:pk>/", customers.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/edit/", customers.customer_edit, name="customer_edit"),
    path("customers/<int:pk>/archive/", customers.customer_archive_view, name="customer_archive"),
    path("customers/<int:pk>/restore/", customers.customer_restore_view, name="customer_restore"),
    path("customers/<int:pk>/preview/", customers.customer_preview, name="customer_preview"),
    path(
        "customers/<int:pk>/preview/phone/", customers.customer_preview_phone, name="customer_preview_phone"
    ),
    path("customers/<int:pk>/export/", privacy.customer_export, name="customer_export"),
    path("customers/<int:pk>/erase/", privacy.customer_erase_view, name="customer_erase"),
    path(
        "customers/<int:pk>/data-requests/<int:request_pk>/done/",
        privacy.data_request_done,
        name="data_request_done",
    ),
    path("customers/<int:pk>/app/", customer_app.customer_app_panel, name="customer_app_panel"),
    path("customers/<int:pk>/app/codes/", customer_app.link_code_create, name="link_code_create"),
    path(
        "customers/<int:pk>/app/codes/<int:code_pk>/", customer_app.link_code_status, name="link_code_status"
    ),
    path("devices/<int:pk>/revoke/", customer_app.device_revoke_view, name="device_revoke"),
    path("customers/<int:customer_pk>/kartes/new/", kartes.karte_create_view, name="karte_create"),
    path("kartes/<int:pk>/edit/", kartes.karte_edit, name="karte_edit"),
    path("kartes/<int:pk>/delete/", kartes.karte_delete_view, name="karte_delete"),
    path("kartes/<int:pk>/print/", kartes.karte_print, name="karte_print"),
    path("customers/<int:pk>/print/", customers.customer_history_print, name="customer_history_print"),
    path("items/<int:pk>/publish/", kartes.item_publish, name="item_publish"),
    path("uploads/", kartes.image_upload, name="image_upload"),
    path("images/<uuid:pk>/status/", kartes.image_status, name="image_status"),
    path("images/<uuid:pk>/retry/", kartes.image_retry, name="image_retry"),
    path("images/<uuid:pk>/<str:size>/", kartes.image_file, name="image"),
    path("notices/", notices.notice_list, name="notice_list"),
    path("notices/new/", notices.notice_create_view, name="notice_create"),
    path("notices/<int:pk>/edit/", notices.notice_edit, name="notice_edit"),
    path("notices/<int:pk>/withdraw/", notices.notice_withdraw_view, name="notice_withdraw"),
    path("customers/<int:pk>/notices/new/", notices.customer_notice_create, name="customer_notice_create"),
    path("salon/settings/", salon.salon_settings, name="salon_settings"),
    path("salon/logo/", salon.salon_logo, name="salon_logo"),
    path("salon/icon-preview/", salon.salon_icon_preview, name="salon_icon_preview"),
    path("salon/staff/", salon.staff_list, name="staff_list"),
    path("salon/staff/new/", salon.staff_create, name="staff_create"),
    path("salon/staff/<int:pk>/edit/", salon.staff_edit, name="staff_edit"),
    path("salon/audit/", salon.audit_list, name="audit_list"),
    path("salon/data/", transfer.data_page, name="data"),
    path("salon/data/exports/", transfer.export_list, name="export_list"),
    path("salon/data/exports/new/", transfer.export_create, name="export_create"),
    path("salon/data/exports/<int:pk>/download/", transfer.export_download, name="export_download"),
    path("salon/data/import/", transfer.customer_import_upload, name="customer_import_upload"),
    path(
        "salon/data/import/template.csv", transfer.customer_import_template, name="customer_import_template"
    ),
    path("salon/data/import/<int:pk>/", transfer.customer_import, name="customer_import"),
    path("salon/analytics/", analytics.analytics_page, name="analytics"),
    path("salon/followups/", followups.followup_settings, name="followup_settings"),
    path("followups/<int:pk>/cancel/", followups.followup_cancel_view, name="followup_cancel"),
    path("salon/menu/", menus.menu_list, name="menu_list"),
    path("salon/menu/preset/", menus.menu_preset, name="menu_preset"),
    path("salon/menu/categories/new/", menus.menu_category_form, name="menu_category_create"),
    path("salon/menu/categories/<int:pk>/", menus.menu_category_form, name="menu_category_edit"),
    path(
        "salon/menu/categories/<int:pk>/action/",
        menus.menu_entry_action,
        {"kind": "category"},
        name="menu_category_action",
    ),
    path("salon/menu/items/new/", menus.menu_item_form, name="menu_item_create"),
    path("salon/menu/items/<int:pk>/", menus.menu_item_form, name="menu_item_edit"),
    path(
        "salon/menu/items/<int:pk>/action/",
        menus.menu_entry_action,
        {"kind": "item"},
        name="menu_item_action",
    ),
]
