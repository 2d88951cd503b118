"""A starting sheet per kind of salon: what peers' sheets ask before a first visit. The owner edits,
reorders or removes any of it on the sheet page."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from menus.presets import SalonType

from .models import QuestionKind as K

HEARD_OF_US: tuple[Any, ...] = (
    K.SINGLE,
    _("How did you hear about us?"),
    False,
    [_("Social media"), _("Booking site"), _("A friend or family"), _("Passing by"), _("Other")],
)
ALLERGIES: tuple[Any, ...] = (K.SHORT, _("Allergies (medicines, metals, foods, plants)"), False, [])
PREGNANT: tuple[Any, ...] = (K.YES_NO, _("Are you pregnant or breastfeeding?"), True, [])

QUESTIONS: dict[str, list[tuple[Any, ...]]] = {
    SalonType.HAIR: [
        (K.LONG, _("What would you like today?"), True, []),
        (K.YES_NO, _("Has hair colour or perm lotion ever made your skin react?"), True, []),
        ALLERGIES,
        (
            K.MULTIPLE,
            _("Your scalp"),
            False,
            [_("Dry"), _("Oily"), _("Itchy"), _("Sensitive"), _("Nothing in particular")],
        ),
        (
            K.MULTIPLE,
            _("Done in the last six months"),
            False,
            [_("Colour"), _("Bleach"), _("Perm"), _("Straightening"), _("Henna"), _("None")],
        ),
        (K.DATE, _("When did you last have colour or a perm?"), False, []),
        PREGNANT,
        HEARD_OF_US,
    ],
    SalonType.NAIL: [
        (K.LONG, _("What design would you like?"), True, []),
        (K.YES_NO, _("Has gel or nail glue ever made your skin react?"), True, []),
        ALLERGIES,
        (
            K.MULTIPLE,
            _("Your nails"),
            False,
            [_("Thin"), _("Splitting"), _("Bitten"), _("Ingrown"), _("Nothing in particular")],
        ),
        (K.YES_NO, _("Is your work hard on your hands (water, cooking, typing)?"), False, []),
        PREGNANT,
        HEARD_OF_US,
    ],
    SalonType.EYELASH: [
        (K.LONG, _("What look would you like?"), True, []),
        (K.YES_NO, _("Has eyelash glue ever made your eyes or skin react?"), True, []),
        (
            K.SINGLE,
            _("Do you wear contact lenses?"),
            True,
            [_("Hard lenses"), _("Soft lenses"), _("No")],
        ),
        (K.YES_NO, _("Eye illness or eye surgery in the last six months?"), True, []),
        ALLERGIES,
        PREGNANT,
        HEARD_OF_US,
    ],
    SalonType.ESTHETIC: [
        (
            K.MULTIPLE,
            _("What would you like to improve?"),
            True,
            [_("Dryness"), _("Spots"), _("Acne"), _("Pores"), _("Sagging"), _("Body shape"), _("Relaxing")],
        ),
        (
            K.SINGLE,
            _("Your skin"),
            False,
            [_("Dry"), _("Oily"), _("Combination"), _("Sensitive"), _("Not sure")],
        ),
        ALLERGIES,
        (K.SHORT, _("Medical treatment or medicine you take now"), False, []),
        (K.DATE, _("When was your last treatment at a salon?"), False, []),
        PREGNANT,
        HEARD_OF_US,
    ],
}

INTRO = _(
    "Please answer before your visit. Only the salon's staff read your answers, to plan a treatment "
    "that is safe for you."
)

CONSENT: dict[str, Any] = {
    SalonType.HAIR: _(
        "I have answered truthfully. I understand that colour, perm and straightening products can make "
        "skin react even without earlier trouble, and I will tell the staff at once if anything feels "
        "wrong. The result depends on the condition of my hair."
    ),
    SalonType.NAIL: _(
        "I have answered truthfully. I understand that gel and glue can make skin react, and I will tell "
        "the staff at once if anything feels wrong. Nails that lift within a week are mended free of charge."
    ),
    SalonType.EYELASH: _(
        "I have answered truthfully. I understand that eyelash glue can make eyes or skin react, that I "
        "will keep my eyes closed during the treatment, and that I will see a doctor if my eyes hurt or "
        "itch afterwards."
    ),
    SalonType.ESTHETIC: _(
        "I have answered truthfully. I understand that products and treatments can make skin react, and I "
        "will tell the staff at once if anything feels wrong. Results differ from person to person."
    ),
}
