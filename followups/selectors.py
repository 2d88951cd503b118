from customers.models import Customer

from .models import FollowUp, FollowUpRule, FollowUpStatus

RECENT = 5


def followups_for_staff(*, customer: Customer) -> dict:
    """A customer's waiting messages whose kind is switched on, and the last few that went (or not)."""
    enabled = list(FollowUpRule.objects.filter(enabled=True).values_list("kind", flat=True))
    waiting = FollowUp.objects.filter(customer=customer, status=FollowUpStatus.SCHEDULED, kind__in=enabled)
    done = FollowUp.objects.filter(
        customer=customer, status__in=[FollowUpStatus.SENT, FollowUpStatus.SKIPPED]
    )
    return {
        "waiting": list(waiting.order_by("due_at")),
        "done": list(done.order_by("-done_at")[:RECENT]),
        "any_enabled": bool(enabled),
    }
