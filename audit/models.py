from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class AuditEntry(models.Model):
    """Who did what, when. Rows are only ever added."""

    salon = models.ForeignKey("salons.Salon", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text too, so the log still reads right after a login is removed.
    actor_name = models.CharField(max_length=150)
    # An action an app declares in its actions.py (audit.actions); stored as its name.
    action = models.CharField(max_length=32)
    target_type = models.CharField(max_length=32)
    target_id = models.CharField(max_length=64)
    summary = models.CharField(max_length=300)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ScopedManager(salon="salon")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["salon", "-created_at"], name="audit_recent"),
            # The log is paged by id (staff.views.salon.audit_list).
            models.Index(fields=["salon", "-id"], name="audit_keyset"),
            # What the log says about one customer's records (privacy: their export and erasure).
            models.Index(fields=["salon", "target_type", "target_id"], name="audit_target"),
        ]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"
