from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from privacy.services import (
    ConfirmationMismatch,
    customer_erase,
    customer_export_plan,
    data_request_handle,
    export_zip_chunks,
)
from salons.access import owner_required

from ..access import get_customer_for_staff, get_data_request_for_staff


@owner_required
@require_POST
def customer_export(request, pk):
    """Everything the salon holds about one customer, as a ZIP streamed to the owner."""
    customer = get_customer_for_staff(request, pk)
    plan = customer_export_plan(customer=customer, actor=request.user)
    response = StreamingHttpResponse(export_zip_chunks(plan), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{plan.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@owner_required
def customer_erase_view(request, pk):
    customer = get_customer_for_staff(request, pk)
    error = ""
    if request.method == "POST":
        try:
            customer_erase(
                customer=customer, actor=request.user, confirm_name=request.POST.get("confirm_name", "")
            )
        except ConfirmationMismatch:
            error = _("Type the customer's name exactly as shown to confirm.")
        else:
            messages.success(request, _("The customer and all their data were deleted."))
            return redirect("staff:customer_list")
    return render(
        request,
        "staff/customers/erase.html",
        {"customer": customer, "error": error, "typed": request.POST.get("confirm_name", "")},
        status=422 if error else 200,
    )


@owner_required
@require_POST
def data_request_done(request, pk, request_pk):
    customer = get_customer_for_staff(request, pk)
    data_request = get_data_request_for_staff(request, customer, request_pk)
    if data_request is not None:
        data_request_handle(request=data_request)
        messages.success(request, _("The request is marked as handled."))
    return redirect(customer.get_absolute_url())
