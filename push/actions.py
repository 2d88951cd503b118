"""What the activity log records of push notifications."""

from django.utils.translation import gettext_lazy as _

from audit.actions import Action

PUSH_KINDS = Action("push.kinds", _("Push notification kinds changed"))
