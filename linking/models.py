from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from common.fields import SalonOneToOneField
from customers.models import Customer
from salons.models import Salon, StaffMember


class LinkCode(models.Model):
    """A one-time code that links one phone to one customer. Only hashes are stored."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="link_codes")
    issued_by = models.ForeignKey(StaffMember, null=True, on_delete=models.SET_NULL, related_name="+")
    # Looked up alone (a code scanned in another salon's app is told so), unique within its salon.
    code_hash = models.CharField(max_length=64, db_index=True)
    # The short numeric code is only unique within its salon and only while it is valid.
    numeric_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    invalidated_at = models.DateTimeField(null=True, blank=True)
    device = SalonOneToOneField("Device", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Issued together: the Step 2 code (scanned in the app, or its number typed) and the Step 1 code
    # carried in the app's address after # (opening it links the browser at once). Each is single-use.
    batch = models.UUIDField(null=True, blank=True, db_index=True)
    via_url = models.BooleanField(default=False)

    objects = ScopedManager(salon="salon")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["salon", "code_hash"], name="link_code_once"),
            models.UniqueConstraint(fields=["salon", "device"], name="link_code_device_once"),
        ]

    def __str__(self):
        return f"link code {self.pk}"

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if self.used_at:
            return "used"
        if self.invalidated_at:
            return "replaced"
        if self.expires_at <= now:
            return "expired"
        return "pending"


class Device(models.Model):
    """A phone linked to a customer. It proves itself with a credential kept in an HttpOnly cookie."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="devices")
    credential_hash = models.CharField(max_length=64)
    label = models.CharField(_("device"), max_length=80)
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(salon="salon")

    class Meta:
        ordering = ["-linked_at"]
        indexes = [models.Index(fields=["salon", "customer", "revoked_at"], name="device_active")]
        constraints = [
            models.UniqueConstraint(fields=["salon", "credential_hash"], name="device_credential_once")
        ]

    def __str__(self):
        return self.label

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
