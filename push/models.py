from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from common.fields import SalonOneToOneField


class PushSubscription(models.Model):
    """Where a linked phone's browser takes push for this salon's app: one per phone, made when the
    customer turns push on, gone when they turn it off or the phone is unlinked."""

    salon = models.ForeignKey("salons.Salon", on_delete=models.CASCADE, related_name="+")
    device = SalonOneToOneField("linking.Device", on_delete=models.CASCADE, related_name="push_subscription")
    # The push service's address for this browser (Apple's, Google's, Mozilla's…), and the keys the
    # payload is encrypted to (RFC 8291): only that browser can read it.
    endpoint = models.URLField(max_length=1000)
    p256dh = models.CharField(max_length=100)
    auth = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(salon="salon")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["salon", "device"], name="push_subscription_once")]

    def __str__(self):
        return f"push for device {self.device_id}"

    def subscription_info(self) -> dict[str, object]:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class PushKind(models.TextChoices):
    """What the owner may let be pushed (「サロン管理」)."""

    EVERYONE = "everyone", _("Notices to everyone")
    CUSTOMER = "customer", _("Notices to one customer")
    FOLLOWUP = "followup", _("Automatic follow-ups")
    REMINDER = "reminder", _("Reminders")


class PushPreference(models.Model):
    """The owner's choice for one kind; a kind with no row is pushed."""

    salon = models.ForeignKey("salons.Salon", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=PushKind.choices)
    enabled = models.BooleanField(default=True)

    objects = ScopedManager(salon="salon")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["salon", "kind"], name="push_preference_once")]

    def __str__(self):
        return f"{self.kind}: {'on' if self.enabled else 'off'}"


class NoticePush(models.Model):
    """That a notice's pushes were planned, once, when it became visible: to how many phones."""

    salon = models.ForeignKey("salons.Salon", on_delete=models.CASCADE, related_name="+")
    notice = SalonOneToOneField("notices.Notice", on_delete=models.CASCADE, related_name="push")
    kind = models.CharField(max_length=16, choices=PushKind.choices)
    phones = models.PositiveIntegerField(default=0)
    planned_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(salon="salon")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["salon", "notice"], name="notice_push_once")]

    def __str__(self):
        return f"push of notice {self.notice_id} to {self.phones} phone(s)"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    SENT = "sent", _("Sent")
    GONE = "gone", _("Phone no longer takes push")
    FAILED = "failed", _("Could not be sent")


class PushDelivery(models.Model):
    """One push of one notice to one phone: the fan-out's own queue, drained in batches by the
    worker, so a broadcast to 100,000 phones is 100,000 small rows and never one long task."""

    salon = models.ForeignKey("salons.Salon", on_delete=models.CASCADE, related_name="+")
    notice = models.ForeignKey("notices.Notice", on_delete=models.CASCADE, related_name="+")
    device = models.ForeignKey("linking.Device", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    # When to send (after quiet hours, or a push service's Retry-After); while a worker holds the
    # row it is moved a little ahead, so a worker killed mid-batch leaves it to the next.
    due_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(salon="salon")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["salon", "notice", "device"], name="push_once_per_phone")
        ]
        indexes = [
            models.Index(fields=["due_at"], name="push_due", condition=models.Q(status="queued")),
            models.Index(fields=["notice", "status"], name="push_notice_status"),
        ]

    def __str__(self):
        return f"push of notice {self.notice_id} to device {self.device_id}: {self.status}"
