from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers.selectors import first_customer
from followups.services import fill, followup_cancel, followup_rules, followup_rules_update
from salons.access import owner_required, staff_required

from ..access import get_followup_for_staff
from ..forms.followups import FollowUpRuleForm


@owner_required
def followup_settings(request):
    rules = followup_rules(salon=request.salon)
    forms = [
        FollowUpRuleForm(request.POST or None, instance=rule, prefix=rule.kind) for rule in rules.values()
    ]
    if request.method == "POST" and all(form.is_valid() for form in forms):
        followup_rules_update(
            salon=request.salon, actor=request.user, rules=[form.save(commit=False) for form in forms]
        )
        messages.success(request, _("The automatic follow-ups were saved."))
        return redirect("staff:followup_settings")
    # The preview speaks to the first customer in あいうえお order, as the app would.
    first = first_customer()
    example = first.name if first else _("Hanako Yamada")
    for form in forms:
        title, body = (form[name].value() or "" for name in ("title", "body"))
        form.preview = {  # type: ignore[attr-defined]
            "title": fill(title, customer_name=example, salon_name=request.salon.name),
            "body": fill(body, customer_name=example, salon_name=request.salon.name),
        }
    context = {"forms": forms, "example_name": example}
    return render(request, "staff/salon/followups.html", context)


@staff_required
@require_POST
def followup_cancel_view(request, pk):
    followup = get_followup_for_staff(request, pk)
    followup_cancel(followup=followup, actor=request.user)
    messages.success(request, _("The follow-up was cancelled; it will not be sent."))
    return redirect(f"{followup.customer.get_absolute_url()}#followups")
