"""A customer's part in the monthly figures: worked out from their visits, phones and bookings
(exported with those), so nothing of its own to show, and gone with the customer."""

from typing import Any

from privacy.parts import CustomerDataPart, Erased, register

from .models import CustomerMonth
from .services import parts_forget


@register
class MonthlyParts(CustomerDataPart):
    models = ("analytics.CustomerMonth",)
    erase_order = 5

    def erase(self, customer: Any) -> Erased:
        parts_forget(CustomerMonth.objects.filter(customer=customer))
        return Erased()

    def merge(self, source: Any, target: Any) -> dict[str, dict[str, list[Any]]]:
        # Not moved: the next roll-up works both records out again from what the merge moved.
        parts_forget(CustomerMonth.objects.filter(customer__in=[source, target]))
        return {}

    def unmerge(self, source: Any, target: Any, moved: dict[str, dict[str, list[Any]]]) -> None:
        parts_forget(CustomerMonth.objects.filter(customer__in=[source, target]))
