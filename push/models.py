from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager


class PushSubscription(models.Model):
    """Where a linked phone's browser takes push for this salon's app: one per phone, made when the
    customer turns push on, gone when they turn it off or the phone is unlinked."""

    salon = models.ForeignKey("salons.Salon", on_delete=models.CASCADE, related_name="+")
    device = models.OneToOneField(
        "linking.Device", on_delete=models.CASCADE, related_name="push_subscription"
    )
    # The push service's address for this browser (Apple's, Google's, Mozilla's…), and the keys the
    # payload is encrypted to (RFC 8291): only that browser can read it.
    endpoint = models.URLField(max_length=1000)
    p256dh = models.CharField(max_length=100)
    auth = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(salon="salon")

    def __str__(self):
        return f"push for device {self.device_id}"

    def subscription_info(self) -> dict[str, object]:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}
