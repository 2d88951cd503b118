"""What the activity log records of this app."""

from django.utils.translation import gettext_lazy as _

from audit.actions import Action

MENU_CHANGE = Action("menu.change", _("Menu changed"))
