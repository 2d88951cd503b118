"""What the activity log records of this app."""

from django.utils.translation import gettext_lazy as _

from audit.actions import Action

LINK_CODE_ISSUE = Action("link.issue", _("Link code issued"))
DEVICE_LINK = Action("device.link", _("Phone linked"))
DEVICE_REVOKE = Action("device.revoke", _("Phone unlinked by staff"))
DEVICE_UNLINK = Action("device.unlink", _("Phone unlinked by the customer"))
