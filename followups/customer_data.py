"""The messages planned for and sent to a customer, in their export and their erase."""

from django.utils.translation import gettext_lazy as _

from privacy.parts import CustomerDataPart, Erased, ids, register, when

from .models import FollowUp


@register
class FollowUps(CustomerDataPart):
    models = ("followups.FollowUp",)
    document = "followups.json"
    contents = (
        (document, _("messages the salon planned or sent you by itself: thank-yous, reminders, birthdays")),
    )
    erase_order = 5

    def export(self, customer, plan, prefix: str) -> list[dict]:
        return [
            {
                "kind": followup.get_kind_display(),
                "due_at": when(followup.due_at),
                "status": followup.get_status_display(),
                "done_at": when(followup.done_at),
            }
            for followup in FollowUp.objects.filter(customer=customer).order_by("due_at", "pk")
        ]

    def audit_targets(self, customer) -> dict[str, set[str]]:
        return {"followup": ids(FollowUp.objects.filter(customer=customer))}

    def erase(self, customer) -> Erased:
        FollowUp.objects.filter(customer=customer).delete()
        return Erased()
