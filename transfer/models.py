import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from salons.models import Salon


class CustomerImport(models.Model):
    """An uploaded customer CSV between its preview and the owner's go-ahead.

    The decoded text is kept only that long: it is personal data, deleted once imported and in
    any case a day later (transfer.tasks.transfers_purge).
    """

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=200)
    encoding = models.CharField(max_length=16)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    imported_count = models.PositiveIntegerField(default=0)

    objects = ScopedManager(salon="salon")

    def __str__(self):
        return self.filename


class ExportKind(models.TextChoices):
    CUSTOMERS = "customers", _("Customers (CSV)")
    KARTES = "kartes", _("Kartes with their items (CSV)")
    ARCHIVE = "archive", _("Everything, with photos (ZIP)")


class ExportEncoding(models.TextChoices):
    CP932 = "cp932", _("Shift_JIS (Excel on Windows)")
    UTF8_BOM = "utf-8-sig", _("UTF-8 with BOM (Excel 2016 and later, Mac, Google Sheets)")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being made")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


def export_path(instance, filename):
    # A random name: nothing about the salon is guessable from it, and the owner's view is the only way in.
    return f"exports/{uuid.uuid4().hex}"


class ExportJob(models.Model):
    """An export the owner asked for, made by a background task and kept for a day."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=ExportKind.choices)
    encoding = models.CharField(
        max_length=16, choices=ExportEncoding.choices, default=ExportEncoding.UTF8_BOM
    )
    status = models.CharField(max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=export_path, max_length=200, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # Moved forward while the task works: a job whose worker died stops moving (the sweep asks again).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(salon="salon")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="export_pending")]

    def __str__(self):
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.READY:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0
