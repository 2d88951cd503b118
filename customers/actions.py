"""What the activity log records of this app."""

from django.utils.translation import gettext_lazy as _

from audit.actions import Action

CUSTOMER_CREATE = Action("customer.create", _("Customer added"))
CUSTOMER_UPDATE = Action("customer.update", _("Customer changed"))
CUSTOMER_ARCHIVE = Action("customer.archive", _("Customer archived"))
CUSTOMER_RESTORE = Action("customer.restore", _("Customer restored"))
DUPLICATE_DISMISS = Action("customer.duplicate_dismiss", _("Likely duplicate set aside"))
CUSTOMER_MERGE = Action("customer.merge", _("Customers merged"))
CUSTOMER_MERGE_UNDO = Action("customer.merge_undo", _("Customer merge undone"))
CUSTOMER_RETENTION = Action("customer.retention", _("Retention period applied"))
CUSTOMER_RETENTION_ERASE = Action(
    "customer.retention_erase", _("Customer erased at the end of the retention period")
)
CUSTOMER_RETENTION_KEEP = Action("customer.retention_keep", _("Customer kept past the retention period"))
