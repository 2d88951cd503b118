"""The activity log in the reader's language: each app declares its actions, staff pages name them."""

from django import template

from audit.actions import action_label
from audit.models import AuditEntry
from kartes.models import ItemKind

register = template.Library()


@register.filter
def action_name(entry: AuditEntry) -> str:
    return action_label(entry.action)


@register.filter
def item_kind(entry: AuditEntry) -> str:
    """The kind of karte item the entry is about ("" for entries about anything else)."""
    kind = entry.data.get("kind") if isinstance(entry.data, dict) else None
    return str(ItemKind(kind).label) if kind in ItemKind.values else ""
