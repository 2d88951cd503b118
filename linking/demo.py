"""The demo salon's phones: half the customers linked theirs (months ago), one has unlinked since."""

import datetime

from django.utils import timezone

from common.demo import Demo, demo_step

from .models import Device
from .services import device_revoke, link_code_issue, link_code_redeem

DEMO_PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


def first_customer(demo: Demo):
    """The customer `make run` prints a link code for (the first in あいうえお order)."""
    return min(demo.customers, key=lambda customer: customer.kana_sort)


@demo_step(40)
def demo_phones(demo: Demo) -> None:
    if not demo.customers:
        return
    first = first_customer(demo)
    linked_at = timezone.now() - datetime.timedelta(days=250)
    demo.linked = [c for c in demo.customers[: len(demo.customers) // 2] if c != first]
    for number, customer in enumerate(demo.linked):
        issued = link_code_issue(salon=demo.salon, customer=customer, issued_by=demo.owner)
        device, _ = link_code_redeem(salon=demo.salon, code=issued.code, user_agent=DEMO_PHONE)
        if number == 0:
            # Unlinked after reading, so the notice list shows how such reads are counted.
            device_revoke(device=device)
        else:
            # Linked months ago, so that 「分析」 compares customers with and without the app.
            Device.objects.filter(pk=device.pk).update(linked_at=linked_at)
