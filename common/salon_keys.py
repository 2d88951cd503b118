"""Each salon's rows hold together, so that the data can be split by salon (docs/capacity.md).

Every table of a salon's data carries `salon_id`; every unique rule names the salon (one-to-one
links are common.fields.SalonOneToOneField with a constraint over the salon and the link); and on
PostgreSQL every foreign key between two tables of salon data has a partner over
(salon_id, key) → (salon_id, id), so that a row can point only at a row of its own salon. Those
partners are made after each migrate (`ensure_salon_keys`, from common.apps), from the models as
they are then, with the UNIQUE (salon_id, id) index each referenced table needs for them.
Nothing here names an app: the models are read from the registry.
"""

import hashlib
from typing import Any

from django.apps import apps
from django.db import IntegrityError, connections, models, transaction

SALON = "salons.Salon"
OURS = {
    "accounts", "analytics", "appointments", "audit", "common", "counselling", "customers",
    "followups", "kartes", "linking", "menus", "notices", "operations", "privacy", "push", "salons",
    "transfer",
}  # fmt: skip

# Tables that belong to no salon, and why. They stay whole (on the coordinator) when the salons'
# data is split.
GLOBAL = {
    SALON: "the salons themselves",
    "common.ScheduledRun": "one row per scheduled job, for all salons",
    "accounts.KnownDevice": "a sign-in's browsers, read before the salon is known",
    "accounts.StaffSession": "a sign-in's sessions, read before the salon is known",
    "accounts.TotpFactor": "a sign-in's second factor",
    "accounts.RecoveryCode": "a sign-in's recovery codes",
    "accounts.Passkey": "a sign-in's passkeys, found by the browser's credential before the salon is known",
}
# Unique rules of salon data that do not name the salon, and why.
UNIQUE_ACROSS_SALONS = {
    ("salons.StaffMember", ("user",)): "a sign-in belongs to one salon of them all",
}


def ours(model: type[models.Model]) -> bool:
    return model._meta.app_label in OURS and not model._meta.proxy


def salon_owned(model: type[models.Model]) -> bool:
    try:
        field = model._meta.get_field("salon")
    except Exception:
        return False
    target = field.related_model if field.is_relation else None
    return isinstance(target, type) and issubclass(target, models.Model) and target._meta.label == SALON


def salon_foreign_keys() -> list[tuple[type[models.Model], "models.ForeignKey[Any, Any]"]]:
    """Every foreign key (one-to-one links too) from salon data to other salon data."""
    found = []
    for model in apps.get_models():
        if not ours(model) or not salon_owned(model):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.name != "salon":
                target = field.related_model
                if isinstance(target, type) and salon_owned(target):
                    found.append((model, field))
    return found


def _name(*parts: str) -> str:
    """A constraint's name within PostgreSQL's 63 characters, the same on every run."""
    text = "_".join(parts)
    return text if len(text) <= 63 else f"{text[:50]}_{hashlib.sha256(text.encode()).hexdigest()[:12]}"


def ensure_salon_keys(using: str = "default", **kwargs: Any) -> int:
    """Make what is missing of the (salon_id, id) indexes and partner foreign keys. Returns how
    many were made. PostgreSQL only; SQLite keeps one salon's data on one machine anyway."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return 0
    made = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint UNION SELECT indexname FROM pg_indexes")
        existing = {row[0] for row in cursor.fetchall()}
        keys = salon_foreign_keys()
        for table in sorted({field.related_model._meta.db_table for _, field in keys}):  # type: ignore[union-attr]
            name = _name(table, "salon_key")
            if name not in existing:
                cursor.execute(f'CREATE UNIQUE INDEX "{name}" ON "{table}" (salon_id, id)')
                made += 1
        for model, field in keys:
            table, target = model._meta.db_table, field.related_model._meta.db_table  # type: ignore[union-attr]
            name = _name(table, field.column, "salon_fk")
            if name not in existing:
                try:
                    with transaction.atomic(using=using):
                        cursor.execute(
                            f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" FOREIGN KEY (salon_id, '
                            f'"{field.column}") REFERENCES "{target}" (salon_id, id) '
                            "DEFERRABLE INITIALLY DEFERRED"
                        )
                except IntegrityError as exc:
                    raise IntegrityError(
                        f"Rows of {table} point through {field.column} at rows of {target} of another "
                        f"salon; put them right before migrating. ({exc})"
                    ) from exc
                made += 1
    return made
