"""What staff and the operator see of push: the owner chooses what may be pushed, the notice list
says how many phones each notice was pushed to, the customer's page whether their phone takes
push; switching the salon's app off forgets every subscription at once."""

import datetime
import zoneinfo

import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from audit.models import AuditEntry
from linking.models import Device
from push.models import PushKind, PushPreference, PushSubscription
from push.services import notice_push_plan, push_subscription_save, pushes_send_due

from .factories import make_notice
from .linking_helpers import linked_phone

NOON = datetime.datetime(2026, 12, 8, 12, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo"))


def _takes_push(world, service, name="phone"):
    linked_phone(world)
    with scope(salon=world.salon):
        device = Device.objects.get(customer=world.customer, revoked_at__isnull=True)
        return push_subscription_save(device=device, **service.subscribe(name))


def test_the_owner_chooses_which_notices_may_be_pushed(salon_a, push_service):
    owner = salon_a.client()
    page = owner.get(reverse("staff:push_settings")).content.decode()
    assert "全体告知" in page and "自動フォロー" in page and "checked" in page
    response = owner.post(reverse("staff:push_settings"), {"kinds": [PushKind.CUSTOMER, PushKind.FOLLOWUP]})
    assert response.status_code == 302
    with scope(salon=salon_a.salon):
        off = set(PushPreference.objects.filter(enabled=False).values_list("kind", flat=True))
        assert off == {PushKind.EVERYONE, PushKind.REMINDER}
        assert AuditEntry.objects.filter(action="push.kinds").exists()
    assert salon_a.client(salon_a.stylist).get(reverse("staff:push_settings")).status_code == 403


def test_the_notice_list_and_the_customer_page_say_what_was_pushed(salon_a, push_service):
    with time_machine.travel(NOON, tick=False):
        _takes_push(salon_a, push_service)
        notice = make_notice(salon_a, title="年末年始の営業")  # planned and sent by the task queue at once
        with scope(salon=salon_a.salon):
            notice_push_plan(notice=notice, now=timezone.now())
        with scopes_disabled():
            pushes_send_due(now=timezone.now())
    assert len(push_service.delivered) == 1
    owner = salon_a.client()
    row = owner.get(reverse("staff:notice_list")).content.decode()
    assert "data-pushed>1台" in row.replace("\n", "").replace(" ", "")
    customer_page = owner.get(
        reverse("staff:customer_detail", kwargs={"pk": salon_a.customer.pk})
    ).content.decode()
    assert "プッシュ通知 オン" in customer_page or "プッシュ通知オン" in customer_page


def test_switching_the_salons_app_off_forgets_every_push_subscription(salon_a, salon_b, push_service, client):
    _takes_push(salon_a, push_service, "a")
    _takes_push(salon_b, push_service, "b")
    operator = get_user_model().objects.create_superuser(username="op", password="op-password-1")
    client.force_login(operator)
    salon = salon_a.salon
    response = client.post(
        reverse("admin:salons_salon_change", args=[salon.pk]),
        {
            "name": salon.name, "slug": salon.slug, "theme_color": salon.theme_color,
            "timezone": salon.timezone, "staff-TOTAL_FORMS": "0", "staff-INITIAL_FORMS": "0",
        },
    )  # fmt: skip
    assert response.status_code == 302
    with scopes_disabled():
        assert list(PushSubscription.objects.values_list("salon", flat=True)) == [salon_b.salon.pk]
