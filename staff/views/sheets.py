"""Counselling sheets for staff: the owner designs the sheet; staff hand out its link or QR code,
file what comes back onto a customer, and print the signed consent."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.services import audit_log
from common.serving import stored_file_response
from counselling import actions as counselling_actions
from counselling.models import Question, ResponseStatus
from counselling.selectors import (
    customer_search,
    customer_suggestions,
    received_sheets,
    recent_sheets,
    sheet_questions,
)
from counselling.services import (
    question_delete,
    question_move,
    question_save,
    sheet_get,
    sheet_link_create,
    sheet_preset_apply,
    sheet_response_delete,
    sheet_response_file,
    sheet_response_file_new,
    sheet_update,
)
from salons.access import owner_required, staff_required

from ..access import get_question_for_owner, get_sheet_response_for_staff
from ..forms.sheets import QuestionForm, SheetFileForm, SheetLinkForm, SheetPresetForm, SheetSettingsForm
from ..qr import qr_svgs

INBOX_ROWS = 50
RECENT_ROWS = 20


@owner_required
def sheet_design(request):
    sheet = sheet_get(salon=request.salon)
    form = SheetSettingsForm(request.POST or None, instance=sheet)
    if request.method == "POST" and form.is_valid():
        sheet_update(sheet=form.save(commit=False), actor=request.user)
        messages.success(request, _("The counselling sheet was saved."))
        return redirect("staff:sheet_design")
    context = {
        "form": form,
        "questions": sheet_questions(salon=request.salon),
        "preset_form": SheetPresetForm(),
    }
    return render(request, "staff/salon/sheet_design.html", context)


@owner_required
@require_POST
def sheet_preset(request):
    form = SheetPresetForm(request.POST)
    if form.is_valid():
        sheet_preset_apply(
            salon=request.salon, salon_type=form.cleaned_data["salon_type"], actor=request.user
        )
        messages.success(request, _("The starting questions were added. Change them to your own."))
    return redirect("staff:sheet_design")


@owner_required
def question_form(request, pk=None):
    question = get_question_for_owner(request, pk) if pk else Question(salon=request.salon)
    form = QuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        question_save(question=form.save(commit=False), actor=request.user)
        messages.success(request, _("The question was saved."))
        return redirect(f"{reverse('staff:sheet_design')}#question-{question.pk}")
    return render(request, "staff/salon/question_form.html", {"form": form, "question": question})


@owner_required
@require_POST
def question_action(request, pk):
    question = get_question_for_owner(request, pk)
    action = request.POST.get("action")
    if action == "delete":
        question_delete(question=question, actor=request.user)
        messages.success(request, _("The question was removed. Sheets already sent keep it."))
        return redirect("staff:sheet_design")
    if action in ("up", "down"):
        question_move(question=question, step=-1 if action == "up" else 1)
    return redirect(f"{reverse('staff:sheet_design')}#question-{question.pk}")


@staff_required
def sheet_inbox(request):
    context = {
        "received": list(received_sheets(salon=request.salon)[:INBOX_ROWS]),
        "recent": list(recent_sheets(salon=request.salon)[:RECENT_ROWS]),
        "link_form": SheetLinkForm(),
        "has_questions": bool(sheet_questions(salon=request.salon)),
    }
    return render(request, "staff/sheets/inbox.html", context)


@staff_required
@require_POST
def sheet_link_create_view(request):
    """A new link: for the counter (anyone, today) or for one person (once, within a week). Its address
    is shown only now; the salon keeps only a hash of it."""
    counter = request.POST.get("kind") == "counter"
    form = SheetLinkForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    link, token = sheet_link_create(
        salon=request.salon, actor=request.user, single_use=not counter, note=note
    )
    url = request.build_absolute_uri(
        reverse("customer_app:sheet_public", kwargs={"slug": request.salon.slug, "token": token})
    )
    context = {"link": link, "url": url, "qr": qr_svgs(url)[0], "counter": counter}
    response = render(request, "staff/sheets/link.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
def sheet_detail(request, pk):
    response = get_sheet_response_for_staff(request, pk)
    waiting = response.status == ResponseStatus.RECEIVED
    query = request.GET.get("q", "").strip()[:100]
    context = {
        "response": response,
        "suggestions": customer_suggestions(response=response) if waiting else [],
        "query": query,
        "found": customer_search(salon=request.salon, query=query) if waiting and query else None,
    }
    return render(request, "staff/sheets/detail.html", context)


@staff_required
@require_POST
def sheet_file_view(request, pk):
    response = get_sheet_response_for_staff(request, pk)
    if response.status != ResponseStatus.RECEIVED:
        messages.info(request, _("This sheet was already filed."))
        return redirect("staff:sheet_detail", pk=response.pk)
    if request.POST.get("new") == "1":
        customer = sheet_response_file_new(response=response, actor=request.user)
        messages.success(
            request, _("%(name)s was added as a new customer with this sheet.") % {"name": customer.name}
        )
        return redirect(f"{customer.get_absolute_url()}#sheets")
    form = SheetFileForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the customer to file this sheet onto."))
        return redirect("staff:sheet_detail", pk=response.pk)
    customer = form.cleaned_data["customer"]
    filled = sheet_response_file(response=response, customer=customer, actor=request.user)
    message = _("The sheet was filed onto %(name)s.") % {"name": customer.name}
    if filled:
        message += " " + _("Details the customer's record lacked were taken from the sheet.")
    messages.success(request, message)
    return redirect(f"{customer.get_absolute_url()}#sheets")


@staff_required
@require_POST
def sheet_delete_view(request, pk):
    response = get_sheet_response_for_staff(request, pk)
    customer = response.customer
    sheet_response_delete(response=response, actor=request.user)
    messages.success(request, _("The sheet was deleted."))
    if customer is not None:
        return redirect(f"{customer.get_absolute_url()}#sheets")
    return redirect("staff:sheet_inbox")


@staff_required
def sheet_signature(request, pk):
    response = get_sheet_response_for_staff(request, pk)
    if not response.signature:
        return HttpResponse(status=404)
    served = stored_file_response(
        response.signature, content_type="image/png", request=request, sha256=response.signature_sha256
    )
    served["Cache-Control"] = "private, no-store"
    return served


@staff_required
def sheet_print(request, pk):
    response = get_sheet_response_for_staff(request, pk)
    audit_log(
        salon=request.salon,
        actor=request.user,
        action=counselling_actions.SHEET_PRINT,
        target=response,
        summary=response.customer.name if response.customer else response.name,
    )
    customer = response.customer or {
        "name": response.name,
        "kana": response.kana,
        "phone": response.phone,
        "birthday": response.birthday,
    }
    back_url = reverse("staff:sheet_detail", kwargs={"pk": response.pk})
    return render(
        request, "staff/print/sheet.html", {"response": response, "customer": customer, "back_url": back_url}
    )
