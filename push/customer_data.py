"""Whether a customer's phones take push, in their export; the subscription goes with the phone."""

from django.utils.translation import gettext_lazy as _

from privacy.parts import CustomerDataPart, Erased, register, when

from .models import DeliveryStatus, NoticePush, PushDelivery, PushSubscription


@register
class PushSubscriptions(CustomerDataPart):
    models = ("push.PushSubscription", "push.PushDelivery", "push.NoticePush")
    document = "push.json"
    contents = (
        (document, _("the phones on which you turned push notifications on, and the notices pushed to them")),
    )
    erase_order = 15

    def export(self, customer, plan, prefix: str) -> dict:
        subscriptions = PushSubscription.objects.filter(device__customer=customer).select_related("device")
        pushed = PushDelivery.objects.filter(device__customer=customer, status=DeliveryStatus.SENT)
        return {
            "phones": [
                {"phone": s.device.label, "since": when(s.created_at)} for s in subscriptions.order_by("pk")
            ],
            "pushed": [
                {"title": d.notice.title, "at": when(d.done_at)}
                for d in pushed.select_related("notice").order_by("done_at", "pk")
            ],
        }

    def erase(self, customer) -> Erased:
        PushDelivery.objects.filter(device__customer=customer).delete()
        NoticePush.objects.filter(notice__customer=customer).delete()
        PushSubscription.objects.filter(device__customer=customer).delete()
        return Erased()
