from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from kartes.models import ItemKind
from salons.models import Salon


class Action(models.TextChoices):
    CUSTOMER_CREATE = "customer.create", _("Customer added")
    CUSTOMER_UPDATE = "customer.update", _("Customer changed")
    CUSTOMER_ARCHIVE = "customer.archive", _("Customer archived")
    CUSTOMER_RESTORE = "customer.restore", _("Customer restored")
    KARTE_CREATE = "karte.create", _("Karte created")
    KARTE_UPDATE = "karte.update", _("Karte changed")
    KARTE_DELETE = "karte.delete", _("Karte deleted")
    ITEM_CREATE = "item.create", _("Item added")
    ITEM_UPDATE = "item.update", _("Item changed")
    ITEM_DELETE = "item.delete", _("Item deleted")
    ITEM_PUBLISH = "item.publish", _("Item made public")
    ITEM_UNPUBLISH = "item.unpublish", _("Item made private")
    STAFF_CREATE = "staff.create", _("Staff added")
    STAFF_UPDATE = "staff.update", _("Staff changed")
    SALON_UPDATE = "salon.update", _("Salon settings changed")
    LINK_CODE_ISSUE = "link.issue", _("Link code issued")
    DEVICE_LINK = "device.link", _("Phone linked")
    DEVICE_REVOKE = "device.revoke", _("Phone unlinked by staff")
    DEVICE_UNLINK = "device.unlink", _("Phone unlinked by the customer")
    NOTICE_CREATE = "notice.create", _("Notice posted")
    NOTICE_UPDATE = "notice.update", _("Notice changed")
    NOTICE_WITHDRAW = "notice.withdraw", _("Notice withdrawn")
    CUSTOMER_EXPORT = "customer.export", _("Customer data exported")
    CUSTOMER_ERASE = "customer.erase", _("Customer deleted for good")
    DATA_REQUEST = "customer.data_request", _("Customer asked for their data")
    SALON_CREATE = "salon.create", _("Salon created")
    SALON_EXPORT = "salon.export", _("Salon data exported")
    STAFF_DELETE = "staff.delete", _("Staff removed")
    MENU_CHANGE = "menu.change", _("Menu changed")
    CUSTOMER_IMPORT = "customer.import", _("Customers imported")
    DATA_EXPORT = "salon.data_export", _("Data exported")
    FOLLOWUP_RULES = "followup.rules", _("Automatic follow-ups changed")
    FOLLOWUP_CANCEL = "followup.cancel", _("Follow-up cancelled")
    SHEET_CHANGE = "sheet.change", _("Counselling sheet changed")
    SHEET_LINK = "sheet.link", _("Counselling sheet link made")
    SHEET_RECEIVE = "sheet.receive", _("Counselling sheet received")
    SHEET_FILE = "sheet.file", _("Counselling sheet filed")
    SHEET_DELETE = "sheet.delete", _("Counselling sheet deleted")
    SHEET_PRINT = "sheet.print", _("Signed consent printed")


class AuditEntry(models.Model):
    """Who did what, when. Rows are only ever added."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text too, so the log still reads right after a login is removed.
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=32, choices=Action.choices)
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
        ]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"

    @property
    def item_kind(self) -> str:
        """The kind of karte item the entry is about, in the reader's language ("" for others)."""
        kind = self.data.get("kind") if isinstance(self.data, dict) else None
        return str(ItemKind(kind).label) if kind in ItemKind.values else ""
