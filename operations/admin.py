from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django_scopes import scope

from audit.services import audit_log
from menus.presets import SalonType
from menus.services import menu_preset_apply
from operations import actions as operations_actions
from push.services import push_subscriptions_forget_salon
from salons import actions as salons_actions
from salons.models import Salon, StaffMember


def _audit_admin_change(request, obj, *, salon, created, fields, created_action, changed_action):
    """What the platform operator changes in a salon is in that salon's audit log, like staff actions."""
    if not created and not fields:
        return
    audit_log(
        salon=salon,
        actor=request.user,
        action=created_action if created else changed_action,
        target=obj,
        summary=str(obj),
        data={"fields": sorted(fields), "via": "platform admin"},
    )


class StaffMemberInline(admin.TabularInline):
    model = StaffMember
    extra = 0
    fields = ["user", "display_name", "role", "is_active"]
    autocomplete_fields = ["user"]


class SalonAdminForm(forms.ModelForm):
    salon_type = forms.ChoiceField(
        label=_("Kind of salon"),
        choices=[("", _("None: an empty menu")), *SalonType.choices],
        required=False,
        help_text=_("A new salon starts with the usual menu of its kind, which the owner then adjusts."),
    )

    class Meta:
        model = Salon
        fields = ["name", "slug", "customer_app_enabled", "theme_color", "timezone"]


@admin.register(Salon)
class SalonAdmin(admin.ModelAdmin):
    form = SalonAdminForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "slug", "customer_app_enabled", "staff_count", "created_at"]
    list_filter = ["customer_app_enabled"]
    list_editable = ["customer_app_enabled"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [StaffMemberInline]

    @admin.display(description=_("staff"))
    def staff_count(self, obj):
        return obj._staff_count

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_staff_count=Count("staff"))

    def get_fields(self, request, obj=None):
        fields = ["name", "slug", "customer_app_enabled", "theme_color", "timezone"]
        return fields if obj is not None else [*fields, "salon_type"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "customer_app_enabled" in form.changed_data and not obj.customer_app_enabled:
            # Without the app, no phone of the salon takes push any more, from this moment.
            with scope(salon=obj):
                push_subscriptions_forget_salon(salon=obj)
        if not change and form.cleaned_data.get("salon_type"):
            with scope(salon=obj):
                menu_preset_apply(salon=obj, salon_type=form.cleaned_data["salon_type"], actor=request.user)
        _audit_admin_change(
            request, obj, salon=obj, created=not change, fields=form.changed_data,
            created_action=operations_actions.SALON_CREATE, changed_action=salons_actions.SALON_UPDATE,
        )  # fmt: skip

    def save_formset(self, request, form, formset, change):
        # Removals are recorded first, while the rows still have their ids.
        for removed in [f.instance for f in formset.deleted_forms if f.instance.pk]:
            audit_log(salon=removed.salon, actor=request.user, action=salons_actions.STAFF_DELETE,
                      target=removed, summary=str(removed), data={"via": "platform admin"})  # fmt: skip
        super().save_formset(request, form, formset, change)
        for member in formset.new_objects:
            _audit_admin_change(
                request, member, salon=member.salon, created=True, fields=[],
                created_action=salons_actions.STAFF_CREATE, changed_action=salons_actions.STAFF_UPDATE,
            )  # fmt: skip
        for member, fields in formset.changed_objects:
            _audit_admin_change(
                request, member, salon=member.salon, created=False, fields=fields,
                created_action=salons_actions.STAFF_CREATE, changed_action=salons_actions.STAFF_UPDATE,
            )  # fmt: skip


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "salon", "role", "is_active"]
    list_filter = ["role", "is_active", "salon"]
    search_fields = ["display_name", "user__username", "salon__name"]
    autocomplete_fields = ["user", "salon"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _audit_admin_change(
            request, obj, salon=obj.salon, created=not change, fields=form.changed_data,
            created_action=salons_actions.STAFF_CREATE, changed_action=salons_actions.STAFF_UPDATE,
        )  # fmt: skip

    def delete_model(self, request, obj):
        audit_log(salon=obj.salon, actor=request.user, action=salons_actions.STAFF_DELETE, target=obj,
                  summary=str(obj), data={"via": "platform admin"})  # fmt: skip
        super().delete_model(request, obj)
