"""Whether a customer's phones take push, in their export; the subscription goes with the phone."""

from django.utils.translation import gettext_lazy as _

from privacy.parts import CustomerDataPart, Erased, register, when

from .models import PushSubscription


@register
class PushSubscriptions(CustomerDataPart):
    models = ("push.PushSubscription",)
    document = "push.json"
    contents = ((document, _("the phones on which you turned push notifications on, and since when")),)
    erase_order = 15

    def export(self, customer, plan, prefix: str) -> list[dict]:
        subscriptions = PushSubscription.objects.filter(device__customer=customer).select_related("device")
        return [{"phone": s.device.label, "since": when(s.created_at)} for s in subscriptions.order_by("pk")]

    def erase(self, customer) -> Erased:
        PushSubscription.objects.filter(device__customer=customer).delete()
        return Erased()
