"""The customer's own requests (from the app) in their export; they go with the customer."""

from django.utils.translation import gettext_lazy as _

from .models import DataRequest
from .parts import CustomerDataPart, Erased, register, when


@register
class DataRequests(CustomerDataPart):
    models = ("privacy.DataRequest",)
    document = "requests.json"
    contents = ((document, _("your requests to see or delete your data")),)
    erase_order = 90

    def export(self, customer, plan, prefix: str) -> list[dict]:
        return [
            {"asked_at": when(r.created_at), "handled_at": when(r.handled_at)}
            for r in DataRequest.objects.filter(customer=customer)
        ]

    def erase(self, customer) -> Erased:
        DataRequest.objects.filter(customer=customer).delete()
        return Erased()
