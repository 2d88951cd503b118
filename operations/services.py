"""The platform operator's work on whole salons: create one with its first owner (and its starting
menu), write everything of one into a ZIP, delete one for good."""

import json

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from audit.services import audit_log
from counselling.models import SheetResponse
from customers.models import Customer
from kartes.models import ImageAsset
from menus.services import menu_preset_apply
from privacy.parts import ExportPlan
from privacy.services import customer_erase, customer_export_plan, delete_after_commit
from salons.models import Salon, StaffMember, StaffRole
from transfer.models import ExportJob

from . import actions


def salon_create(
    *,
    name: str,
    slug: str,
    owner_username: str,
    owner_password: str,
    owner_name: str,
    salon_type: str = "",
) -> Salon:
    """Create a salon with its first owner login (platform operators, admin or shell).

    With a salon type (hair, nail, eyelash, esthetic) it starts with that kind of salon's menu.
    """
    with transaction.atomic():
        salon = Salon.objects.create(name=name, slug=slug)
        user = get_user_model().objects.create_user(username=owner_username, password=owner_password)
        StaffMember.objects.with_scopes_disabled().create(
            salon=salon, user=user, display_name=owner_name, role=StaffRole.OWNER
        )
        if salon_type:
            with scope(salon=salon):
                menu_preset_apply(salon=salon, salon_type=salon_type)
    return salon


def salon_export_plan(*, salon) -> ExportPlan:
    """Everything of one salon for its operator: the salon, its staff, and each customer's export."""
    plan = ExportPlan(filename=f"salon-{salon.slug}-{timezone.localdate():%Y%m%d}.zip")
    plan.documents["salon.json"] = json.dumps(
        {
            "name": salon.name,
            "slug": salon.slug,
            "customer_app": salon.customer_app_enabled,
            "time_zone": salon.timezone,
        },
        ensure_ascii=False,
        indent=2,
    )
    staff = [
        {"name": m.display_name, "login": m.user.get_username(), "role": m.role, "active": m.is_active}
        for m in StaffMember.objects.select_related("user").order_by("pk")
    ]
    plan.documents["staff.json"] = json.dumps(staff, ensure_ascii=False, indent=2)
    customers = Customer.objects.order_by("pk")
    for customer in customers:
        customer_export_plan(customer=customer, actor=None, plan=plan, prefix=f"customers/{customer.pk}/")
    audit_log(salon=salon, actor=None, action=actions.SALON_EXPORT, target=salon, summary=salon.name,
              data={"customers": customers.count(), "files": len(plan.files)})  # fmt: skip
    return plan


def salon_erase(*, salon) -> dict[str, int]:
    """Delete a salon and everything of it for good, files included. Returns what went."""
    customers = list(Customer.objects.all())
    for customer in customers:
        customer_erase(customer=customer, actor=None, confirm_name=customer.name)
    leftovers = list(ImageAsset.objects.all())  # uploads never saved into a karte
    names = [name for a in leftovers for name in a.stored_names()]
    # Exports not yet expired hold copies of everything: they go with the salon.
    names += [name for name in ExportJob.objects.exclude(file="").values_list("file", flat=True)]
    # Sheets never filed onto a customer keep their signatures until the salon goes.
    names += list(SheetResponse.objects.exclude(signature="").values_list("signature", flat=True))
    if salon.logo:
        names.append(salon.logo.name)
    with transaction.atomic():
        ImageAsset.objects.filter(pk__in=[a.pk for a in leftovers]).delete()
        users = [m.user_id for m in salon.staff.all()]
        salon.delete()
        get_user_model().objects.filter(pk__in=users, is_superuser=False).delete()

        delete_after_commit(names)
    return {"customers": len(customers), "files": len(names), "staff_logins": len(users)}
