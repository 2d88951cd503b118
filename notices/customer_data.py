"""Notices to one customer and what they read, in their export and their erase."""

from django.utils.translation import gettext_lazy as _

from privacy.parts import CustomerDataPart, Erased, ids, register, when

from .models import Notice, NoticeRead


@register
class Notices(CustomerDataPart):
    models = ("notices.Notice", "notices.NoticeRead")
    document = "notices.json"
    contents = ((document, _("notices sent to you, and the notices you have read")),)
    erase_order = 10

    def export(self, customer, plan, prefix: str) -> dict:
        reads = NoticeRead.objects.filter(customer=customer).select_related("notice")
        return {
            "to_this_customer": [
                {
                    "title": n.title,
                    "body": n.body,
                    "shown_from": when(n.starts_at),
                    "shown_until": when(n.ends_at),
                }
                for n in Notice.objects.filter(customer=customer).order_by("starts_at", "pk")
            ],
            "read": [
                {"title": r.notice.title, "read_at": when(r.read_at)} for r in reads.order_by("read_at")
            ],
        }

    def audit_targets(self, customer) -> dict[str, set[str]]:
        return {"notice": ids(Notice.objects.filter(customer=customer))}

    def erase(self, customer) -> Erased:
        notices = Notice.objects.filter(customer=customer)
        counts = {"notices": notices.count()}
        NoticeRead.objects.filter(customer=customer).delete()
        notices.delete()
        return Erased(counts=counts)
