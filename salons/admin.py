from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .models import Salon, StaffMember


class StaffMemberInline(admin.TabularInline):
    model = StaffMember
    extra = 0
    fields = ["user", "display_name", "role", "is_active"]
    autocomplete_fields = ["user"]


@admin.register(Salon)
class SalonAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "customer_app_enabled", "staff_count", "created_at"]
    list_filter = ["customer_app_enabled"]
    list_editable = ["customer_app_enabled"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "customer_app_enabled", "theme_color", "timezone"]
    inlines = [StaffMemberInline]

    @admin.display(description=_("staff"))
    def staff_count(self, obj):
        return obj._staff_count

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_staff_count=Count("staff"))


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "salon", "role", "is_active"]
    list_filter = ["role", "is_active", "salon"]
    search_fields = ["display_name", "user__username", "salon__name"]
    autocomplete_fields = ["user", "salon"]
