"""The customer-app panel on a customer's page: issue link codes, watch them being used,
and unlink phones."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linking.selectors import opened_from_step1
from linking.services import device_revoke, link_code_issue, numeric_linking_paused
from salons.access import staff_required

from ..access import get_customer_for_staff, get_link_code_for_staff, get_linked_device_for_staff
from ..qr import qr_svgs


def _require_option(request):
    if not request.salon.customer_app_enabled:
        raise PermissionDenied(_("The customer app is an option that must be contracted first."))


@staff_required
def customer_app_panel(request, pk):
    customer = get_customer_for_staff(request, pk)
    _require_option(request)
    return render(request, "staff/customers/_app_link.html", {"customer": customer})


@staff_required
@require_POST
def link_code_create(request, pk):
    customer = get_customer_for_staff(request, pk)
    _require_option(request)
    issued = link_code_issue(salon=request.salon, customer=customer, issued_by=request.staff)
    app_url = request.build_absolute_uri(reverse("customer_app:home", kwargs={"slug": request.salon.slug}))
    # Opening Step 1 links the browser at once: its own code rides after #, which never reaches a server.
    step1 = f"{app_url}#link={issued.url_code}"
    context = {
        "customer": customer,
        "link_code": issued.link_code,
        "app_url": app_url,
        **dict(zip(("step1_svg", "step2_svg"), qr_svgs(step1, issued.code), strict=True)),
        "numeric": f"{issued.numeric[:4]} {issued.numeric[4:]}",
        "numeric_paused": numeric_linking_paused(salon=request.salon),
    }
    return render(request, "staff/customers/_app_codes.html", context)


@staff_required
def link_code_status(request, pk, code_pk):
    customer = get_customer_for_staff(request, pk)
    link_code = get_link_code_for_staff(request, customer, code_pk)
    state = link_code.state()
    opened = opened_from_step1(link_code)
    if state == "pending" and opened is not None:
        # Step 1 linked the phone's browser. Step 2 stays on screen for a home-screen app that starts
        # unlinked (older iPhones); the panel only says what happened.
        response = render(request, "staff/customers/_app_step1_linked.html", {"link_code": opened})
        response["HX-Reswap"] = "none"
        return response
    if state == "pending":
        return HttpResponse(status=204)  # htmx keeps the codes on screen and asks again
    return render(
        request,
        "staff/customers/_app_status.html",
        {"customer": customer, "link_code": link_code, "state": state},
    )


@staff_required
@require_POST
def device_revoke_view(request, pk):
    device = get_linked_device_for_staff(request, pk)
    device_revoke(device=device, actor=request.user)
    messages.success(request, _("The phone “%(label)s” was unlinked.") % {"label": device.label})
    return redirect(f"{device.customer.get_absolute_url()}#customer-app")
