"""What the activity log records of this app."""

from django.utils.translation import gettext_lazy as _

from audit.actions import Action

NOTICE_CREATE = Action("notice.create", _("Notice posted"))
NOTICE_UPDATE = Action("notice.update", _("Notice changed"))
NOTICE_WITHDRAW = Action("notice.withdraw", _("Notice withdrawn"))
