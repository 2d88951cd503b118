"""What the activity log records of this app."""

from django.utils.translation import gettext_lazy as _

from audit.actions import Action

CUSTOMER_IMPORT = Action("customer.import", _("Customers imported"))
DATA_EXPORT = Action("salon.data_export", _("Data exported"))
