"""What the activity log records of the platform operator's work."""

from django.utils.translation import gettext_lazy as _

from audit.actions import Action

SALON_CREATE = Action("salon.create", _("Salon created"))
SALON_EXPORT = Action("salon.export", _("Salon data exported"))
