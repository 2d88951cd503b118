"""What the activity log records of this app."""

from django.utils.translation import gettext_lazy as _

from audit.actions import Action

SHEET_CHANGE = Action("sheet.change", _("Counselling sheet changed"))
SHEET_LINK = Action("sheet.link", _("Counselling sheet link made"))
SHEET_RECEIVE = Action("sheet.receive", _("Counselling sheet received"))
SHEET_FILE = Action("sheet.file", _("Counselling sheet filed"))
SHEET_DELETE = Action("sheet.delete", _("Counselling sheet deleted"))
SHEET_PRINT = Action("sheet.print", _("Signed consent printed"))
