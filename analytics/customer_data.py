"""A customer's part in the monthly figures: worked out from their visits, phones and bookings
(exported with those), so nothing of its own to show, and gone with the customer."""

from typing import Any

from privacy.parts import CustomerDataPart, Erased, register

from .models import CustomerMonth


@register
class MonthlyParts(CustomerDataPart):
    models = ("analytics.CustomerMonth",)
    erase_order = 5

    def erase(self, customer: Any) -> Erased:
        CustomerMonth.objects.filter(customer=customer).delete()
        return Erased()

    def merge(self, source: Any, target: Any) -> dict[str, dict[str, list[Any]]]:
        # Not moved: the next roll-up works both records out again from what the merge moved.
        CustomerMonth.objects.filter(customer__in=[source, target]).delete()
        return {}

    def unmerge(self, source: Any, target: Any, moved: dict[str, dict[str, list[Any]]]) -> None:
        CustomerMonth.objects.filter(customer__in=[source, target]).delete()
