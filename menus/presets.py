"""A starting menu per kind of salon, so that a new salon's karte editor offers its own work at once.
Prices are typical Tokyo prices in yen, tax included, and durations typical minutes (a booking's length);
the owner changes them on the menu page."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SalonType(models.TextChoices):
    HAIR = "hair", _("Hair salon")
    NAIL = "nail", _("Nail salon")
    EYELASH = "eyelash", _("Eyelash salon")
    ESTHETIC = "esthetic", _("Esthetic salon")


PRESETS = {
    SalonType.HAIR: [
        (_("Cut"), [(_("Cut"), 5500, 60), (_("Bang cut"), 1100, 15), (_("Kids cut"), 3300, 30)]),
        (
            _("Colour"),
            [(_("Colour"), 7700, 90), (_("Retouch colour"), 6600, 75), (_("Highlights"), 5500, 60)],
        ),
        (
            _("Perm"),
            [(_("Perm"), 8800, 90), (_("Digital perm"), 13200, 150), (_("Straightening"), 16500, 180)],
        ),
        (_("Care"), [(_("Treatment"), 3300, 30), (_("Head spa"), 4400, 45)]),
        (_("Styling"), [(_("Blow-dry"), 2200, 30), (_("Hair set"), 5500, 45)]),
    ],
    SalonType.NAIL: [
        (
            _("Hand"),
            [
                (_("Gel one colour"), 6600, 75),
                (_("Gel french"), 7700, 90),
                (_("Nail art (per finger)"), 550, 10),
            ],
        ),
        (_("Foot"), [(_("Foot gel one colour"), 7700, 90), (_("Pedicure"), 6600, 60)]),
        (_("Care"), [(_("Nail care"), 3300, 45), (_("Gel removal"), 1650, 30)]),
    ],
    SalonType.EYELASH: [
        (
            _("Extensions"),
            [
                (_("Extensions 100"), 5500, 75),
                (_("Extensions 140"), 7150, 90),
                (_("Volume lashes"), 8800, 105),
            ],
        ),
        (_("Lash lift"), [(_("Lash lift"), 6600, 60), (_("Lash lift with tint"), 7700, 75)]),
        (_("Brows"), [(_("Eyebrow trim"), 3850, 30), (_("Brow wax"), 5500, 45)]),
        (_("Care"), [(_("Extension removal"), 1650, 20)]),
    ],
    SalonType.ESTHETIC: [
        (_("Face"), [(_("Facial"), 8800, 60), (_("Pore care"), 7700, 60)]),
        (_("Body"), [(_("Body treatment"), 11000, 90), (_("Lymph drainage"), 9900, 75)]),
        (_("Hair removal"), [(_("Hair removal (arms)"), 5500, 45), (_("Hair removal (legs)"), 7700, 60)]),
    ],
}
