"""What the activity log records of this app."""

from django.utils.translation import gettext_lazy as _

from audit.actions import Action

KARTE_CREATE = Action("karte.create", _("Karte created"))
KARTE_UPDATE = Action("karte.update", _("Karte changed"))
KARTE_DELETE = Action("karte.delete", _("Karte deleted"))
ITEM_CREATE = Action("item.create", _("Item added"))
ITEM_UPDATE = Action("item.update", _("Item changed"))
ITEM_DELETE = Action("item.delete", _("Item deleted"))
ITEM_PUBLISH = Action("item.publish", _("Item made public"))
ITEM_UNPUBLISH = Action("item.unpublish", _("Item made private"))
PORTFOLIO_ASK = Action("item.portfolio_ask", _("Asked in the app to show a photo as the salon's work"))
PORTFOLIO_RECORD = Action("item.portfolio", _("Consent to show a photo as the salon's work recorded"))
PORTFOLIO_ANSWER = Action(
    "item.portfolio_answer", _("Customer answered about showing a photo as the salon's work")
)
PORTFOLIO_SAVE = Action("item.portfolio_save", _("Photo saved as the salon's work"))
ANGLES_CHANGE = Action("salon.angles", _("Photo angles changed"))
