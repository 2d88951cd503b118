"""The customer's linked phones in their export; phones and unused codes go with the customer."""

from django.utils.translation import gettext_lazy as _

from privacy.parts import CustomerDataPart, Erased, ids, register, when

from .models import Device, LinkCode


@register
class Phones(CustomerDataPart):
    models = ("linking.Device", "linking.LinkCode")
    document = "phones.json"
    contents = ((document, _("the phones linked to your records")),)
    erase_order = 20

    def export(self, customer, plan, prefix: str) -> list[dict]:
        return [
            {
                "phone": d.label,
                "linked_at": when(d.linked_at),
                "last_seen_at": when(d.last_seen_at),
                "unlinked_at": when(d.revoked_at),
            }
            for d in Device.objects.filter(customer=customer).order_by("linked_at", "pk")
        ]

    def audit_targets(self, customer) -> dict[str, set[str]]:
        return {"device": ids(Device.objects.filter(customer=customer))}

    def erase(self, customer) -> Erased:
        devices = Device.objects.filter(customer=customer)
        counts = {"phones": devices.count()}
        # A linked phone finds its credential gone and shows the unlinked screen on its next request.
        LinkCode.objects.filter(customer=customer).delete()
        devices.delete()
        return Erased(counts=counts)
