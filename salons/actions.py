"""What the activity log records of this app."""

from django.utils.translation import gettext_lazy as _

from audit.actions import Action

STAFF_CREATE = Action("staff.create", _("Staff added"))
STAFF_UPDATE = Action("staff.update", _("Staff changed"))
STAFF_DELETE = Action("staff.delete", _("Staff removed"))
SALON_UPDATE = Action("salon.update", _("Salon settings changed"))
