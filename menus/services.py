from django.db import transaction
from django.utils import timezone

from audit.services import audit_log
from common.actors import Actor
from common.ordering import last_position, move_in_order
from salons.models import Salon

from . import actions
from .models import MenuCategory, MenuItem
from .presets import PRESETS, SalonType


def menu_preset_apply(*, salon: Salon, salon_type: str, actor: Actor = None) -> None:
    """Add the starting menu of a kind of salon (in the language active now) after what it has."""
    start = last_position(MenuCategory.objects.filter(salon=salon))
    with transaction.atomic():
        for offset, (category_name, items) in enumerate(PRESETS[SalonType(salon_type)], start=1):
            category = MenuCategory.objects.create(
                salon=salon, name=str(category_name), position=start + offset
            )
            MenuItem.objects.bulk_create(
                MenuItem(
                    salon=salon,
                    category=category,
                    name=str(name),
                    price=price,
                    minutes=minutes,
                    position=index,
                )
                for index, (name, price, minutes) in enumerate(items, start=1)
            )
        audit_log(
            salon=salon,
            actor=actor,
            action=actions.MENU_CHANGE,
            target=salon,
            summary=str(SalonType(salon_type).label),
            data={"preset": salon_type},
        )


def menu_category_save(
    *, salon: Salon, actor: Actor, name: str, category: MenuCategory | None = None
) -> MenuCategory:
    with transaction.atomic():
        if category is None:
            last = last_position(MenuCategory.objects.filter(salon=salon))
            category = MenuCategory.objects.create(salon=salon, name=name, position=last + 1)
        else:
            category.name = name
            category.save(update_fields=["name"])
        audit_log(salon=salon, actor=actor, action=actions.MENU_CHANGE, target=category, summary=name)
    return category


def menu_item_save(
    *,
    salon: Salon,
    actor: Actor,
    category: MenuCategory,
    name: str,
    price: int | None,
    item: MenuItem | None = None,
    minutes: int | None = None,
) -> MenuItem:
    """Add an item at the end of its category, or change one (past kartes keep what they recorded)."""
    with transaction.atomic():
        if item is None:
            last = last_position(MenuItem.objects.filter(category=category))
            item = MenuItem.objects.create(
                salon=salon, category=category, name=name, price=price, minutes=minutes, position=last + 1
            )
        else:
            if item.category_id != category.pk:
                last = last_position(MenuItem.objects.filter(category=category))
                item.position = last + 1
            item.category, item.name, item.price, item.minutes = category, name, price, minutes
            item.save()
        audit_log(
            salon=salon,
            actor=actor,
            action=actions.MENU_CHANGE,
            target=item,
            summary=f"{category.name} / {name}",
            data={"price": price},
        )
    return item


def menu_entry_archive(*, entry: MenuCategory | MenuItem, actor: Actor, archived: bool) -> None:
    """Take an item or a whole category off the editor's chips, or bring it back."""
    with transaction.atomic():
        entry.archived_at = timezone.now() if archived else None
        entry.save(update_fields=["archived_at"])
        audit_log(
            salon=entry.salon,
            actor=actor,
            action=actions.MENU_CHANGE,
            target=entry,
            summary=entry.name,
            data={"archived": archived},
        )


def menu_entry_move(*, entry: MenuCategory | MenuItem, step: int) -> None:
    """Swap an item (within its category) or a category with its neighbour."""
    if isinstance(entry, MenuItem):
        move_in_order(MenuItem.objects.filter(category_id=entry.category_id), entry, step)
    else:
        move_in_order(MenuCategory.objects.filter(salon_id=entry.salon_id), entry, step)
