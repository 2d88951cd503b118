from typing import Any

from django.db import models

from common.actors import Actor

from .actions import Action
from .models import AuditEntry


def audit_log(
    *,
    salon: models.Model,
    actor: Actor,
    action: Action,
    target: models.Model,
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record one staff action against a salon-owned object."""
    entry = audit_entry(salon=salon, actor=actor, action=action, target=target, summary=summary, data=data)
    entry.save(force_insert=True)
    return entry


def audit_entry(
    *,
    salon: models.Model,
    actor: Actor,
    action: Action,
    target: models.Model,
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """The entry audit_log writes, unsaved (for bulk_create)."""
    actor_name = ""
    if actor is not None:
        member = getattr(actor, "staff_member", None)
        actor_name = member.display_name if member is not None else actor.get_username()
    return AuditEntry(
        salon_id=salon.pk,
        actor=actor,
        actor_name=actor_name,
        action=action,
        target_type=str(target._meta.model_name),
        target_id=str(target.pk),
        summary=summary[:300] or str(target)[:300],
        data=data or {},
    )
