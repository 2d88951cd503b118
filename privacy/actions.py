"""What the activity log records of this app."""

from django.utils.translation import gettext_lazy as _

from audit.actions import Action

CUSTOMER_EXPORT = Action("customer.export", _("Customer data exported"))
CUSTOMER_ERASE = Action("customer.erase", _("Customer deleted for good"))
DATA_REQUEST = Action("customer.data_request", _("Customer asked for their data"))
