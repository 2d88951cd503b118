"""The angles a salon takes its photos from: a list of its own, started from its kind of salon.

Before and after only convince when the two photos are taken the same way, so each photo item may
name its angle, and the slider pairs a before with the after of the same angle, never a side view
with a front one. A new salon starts with a hair salon's list; the owner adds a nail, eyelash or
esthetic salon's angles, renames, reorders and removes them (a photo whose angle is removed keeps
its place, without an angle).
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import scope

from audit.services import audit_log
from common.actors import Actor
from menus.presets import SalonType
from salons.models import Salon

from . import actions
from .models import PhotoAngle

MAX_ANGLES = 20

FRONT, RIGHT, LEFT = (
    pgettext_lazy("angle", "Front"),
    pgettext_lazy("angle", "Right side"),
    pgettext_lazy("angle", "Left side"),
)
BACK, TOP = pgettext_lazy("angle", "Back"), pgettext_lazy("angle", "Top")
PRESETS = {
    SalonType.HAIR: [FRONT, RIGHT, LEFT, BACK, TOP],
    SalonType.NAIL: [pgettext_lazy("angle", "Hands"), pgettext_lazy("angle", "Feet")],
    SalonType.EYELASH: [pgettext_lazy("angle", "Eyes"), FRONT],
    SalonType.ESTHETIC: [FRONT, RIGHT, LEFT, BACK],
}


class AngleRefused(Exception):
    """A change to the list that cannot be made, with the reason in the user's language."""


def salon_angles(*, salon: Salon) -> list[PhotoAngle]:
    return list(PhotoAngle.objects.filter(salon=salon))


def angles_for_new_salon(
    sender: type, instance: Salon, created: bool, raw: bool = False, **kwargs: object
) -> None:
    """post_save of Salon: a new salon starts with a hair salon's angles."""
    if created and not raw:
        with scope(salon=instance):
            angles_preset_add(salon=instance, salon_type=SalonType.HAIR)


def angles_preset_add(*, salon: Salon, salon_type: str, actor: Actor = None) -> list[PhotoAngle]:
    """Add the kind of salon's angles that the list does not have yet, at its end, in the salon's
    language (Japanese unless the installation says otherwise)."""
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        names = [str(name) for name in PRESETS[SalonType(salon_type)]]
        have = set(PhotoAngle.objects.filter(salon=salon).values_list("name", flat=True))
        start = _next_position(salon)
        added = [
            PhotoAngle.objects.create(salon=salon, name=name, position=start + offset)
            for offset, name in enumerate(name for name in names if name not in have)
        ]
        if actor is not None and added:
            audit_log(
                salon=salon,
                actor=actor,
                action=actions.ANGLES_CHANGE,
                target=salon,
                data={"added": [angle.name for angle in added]},
            )
    return added


def angle_add(*, salon: Salon, name: str, actor: Actor) -> PhotoAngle:
    name = _clean_name(name)
    if PhotoAngle.objects.filter(salon=salon).count() >= MAX_ANGLES:
        raise AngleRefused(_("A salon keeps at most %(count)d angles.") % {"count": MAX_ANGLES})
    try:
        with transaction.atomic():
            angle = PhotoAngle.objects.create(salon=salon, name=name, position=_next_position(salon))
            audit_log(
                salon=salon, actor=actor, action=actions.ANGLES_CHANGE, target=salon, data={"added": [name]}
            )
    except IntegrityError:
        raise AngleRefused(_("The list already has “%(name)s”.") % {"name": name}) from None
    return angle


def angle_rename(*, angle: PhotoAngle, name: str, actor: Actor) -> PhotoAngle:
    name, before = _clean_name(name), angle.name
    if name == before:
        return angle
    try:
        with transaction.atomic():
            angle.name = name
            angle.save(update_fields=["name"])
            audit_log(
                salon=angle.salon,
                actor=actor,
                action=actions.ANGLES_CHANGE,
                target=angle.salon,
                data={"renamed": [before, name]},
            )
    except IntegrityError:
        angle.name = before
        raise AngleRefused(_("The list already has “%(name)s”.") % {"name": name}) from None
    return angle


def angle_move(*, angle: PhotoAngle, step: int) -> None:
    """One place up (-1) or down (+1) in the salon's list."""
    with transaction.atomic():
        angles = list(PhotoAngle.objects.select_for_update().filter(salon_id=angle.salon_id))
        index = next(i for i, other in enumerate(angles) if other.pk == angle.pk)
        target = index + step
        if not 0 <= target < len(angles):
            return
        angles[index], angles[target] = angles[target], angles[index]
        for position, other in enumerate(angles):
            if other.position != position:
                PhotoAngle.objects.filter(pk=other.pk).update(position=position)


def angle_delete(*, angle: PhotoAngle, actor: Actor) -> None:
    """The angle leaves the list; photos taken from it keep their place, without an angle."""
    with transaction.atomic():
        audit_log(
            salon=angle.salon,
            actor=actor,
            action=actions.ANGLES_CHANGE,
            target=angle.salon,
            data={"removed": [angle.name]},
        )
        angle.delete()


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise AngleRefused(_("Enter the angle's name."))
    if len(name) > 40:
        raise AngleRefused(_("Keep the angle's name to %(count)d characters.") % {"count": 40})
    return name


def _next_position(salon: Salon) -> int:
    last = PhotoAngle.objects.filter(salon=salon).aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1
