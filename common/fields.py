"""Fields that keep every unique rule within one salon."""

from typing import Any

from django.db import models


class SalonOneToOneField(models.OneToOneField):  # type: ignore[type-arg]
    """A one-to-one link between two rows of the same salon, whose uniqueness is the model's
    UniqueConstraint over (salon, this field) instead of the column's own.

    The same rule, since the linked row belongs to one salon; but a constraint that names the salon
    can be kept on each salon's part when the data is split by salon (docs/capacity.md).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._unique = False
