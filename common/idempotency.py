"""Creating things exactly once, however often the same form is sent."""

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet

T = TypeVar("T", bound=Model)


def parse_key(raw: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None


def create_once(queryset: QuerySet[T], client_key: uuid.UUID | None, create: Callable[[], T]) -> T:
    """Run `create` in a transaction unless an object with this client key exists already.

    A double tap, a resend after a lost reply or two racing requests with the same key all end
    with the one object the first of them made; the unique (salon, client_key) constraint
    settles a race.
    """
    if client_key is not None:
        existing = queryset.filter(client_key=client_key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            return create()
    except IntegrityError:
        existing = queryset.filter(client_key=client_key).first() if client_key is not None else None
        if existing is None:
            raise
        return existing
