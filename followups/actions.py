"""What the activity log records of this app."""

from django.utils.translation import gettext_lazy as _

from audit.actions import Action

FOLLOWUP_RULES = Action("followup.rules", _("Automatic follow-ups changed"))
FOLLOWUP_CANCEL = Action("followup.cancel", _("Follow-up cancelled"))
