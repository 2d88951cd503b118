import datetime

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.serving import stored_file_response
from customers.models import number_text
from salons.access import owner_required
from transfer import appointment_csv, customer_csv
from transfer.exports import export_downloaded, export_is_expired, export_request
from transfer.models import ExportStatus
from transfer.selectors import recent_exports
from transfer.services import (
    ImportChanged,
    ImportRefused,
    appointment_import,
    customer_import_preview,
    customer_import_run,
    customer_import_stage,
)

from ..access import get_customer_import_for_owner, get_export_for_owner
from ..forms.transfer import AppointmentImportForm, CustomerImportForm, ExportForm

RECENT_EXPORTS = 10
ENCODING_NAMES = {"cp932": "Shift_JIS (CP932)", "utf-8": "UTF-8", "utf-8-sig": "UTF-8 (BOM)"}


def _exports(request=None) -> dict:
    exports = recent_exports(limit=RECENT_EXPORTS)
    pending = {ExportStatus.QUEUED, ExportStatus.RUNNING}
    # Just asked for: the list says so where the owner is looking (the page opens at the list).
    made = request is not None and request.GET.get("made") == "1"
    return {"exports": exports, "polling": any(job.status in pending for job in exports), "made": made}


def _cell(name: str, value) -> str:
    if value is None:
        return ""
    if name == "number":
        return number_text(value)
    if isinstance(value, datetime.date):
        return value.strftime("%Y/%m/%d")
    if value in customer_csv.GENDER_WRITTEN:
        return customer_csv.GENDER_WRITTEN[value]
    return str(value)


@owner_required
def data_page(request):
    context = {"import_form": CustomerImportForm(), "export_form": ExportForm(), **_exports(request)}
    return render(request, "staff/salon/data.html", context)


@owner_required
def export_list(request):
    """The exports and their progress (the data page asks for this while one is being made)."""
    return render(request, "staff/salon/_exports.html", {**_exports(request)})


@owner_required
@require_POST
def customer_import_upload(request):
    form = CustomerImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            staged = customer_import_stage(
                salon=request.salon, actor=request.user, filename=upload.name, data=upload.read()
            )
        except ImportRefused as refused:
            form.add_error("file", str(refused))
        else:
            return redirect("staff:customer_import", pk=staged.pk)
    context = {"import_form": form, "export_form": ExportForm(), **_exports()}
    return render(request, "staff/salon/data.html", context, status=422)


@owner_required
def customer_import(request, pk):
    staged = get_customer_import_for_owner(request, pk)
    if staged.imported_at is not None:
        messages.success(
            request,
            _("%(count)s customers were imported from this file.") % {"count": f"{staged.imported_count:,}"},
        )
        return redirect("staff:customer_list")
    changed = False
    if request.method == "POST":
        # Rows sharing a mobile number with another are imported when the owner leaves them ticked.
        accept_shared = request.POST.get("accept_shared") == "1" or "expected_unshared" not in request.POST
        try:
            expected = int(request.POST.get("expected" if accept_shared else "expected_unshared", ""))
        except ValueError:
            expected = -1
        try:
            count = customer_import_run(
                staged=staged, actor=request.user, expected=expected, accept_shared=accept_shared
            )
        except ImportChanged as change:
            parsed, changed = change.parsed, True
        else:
            messages.success(request, _("%(count)s customers were imported.") % {"count": f"{count:,}"})
            return redirect("staff:customer_list")
    else:
        parsed = customer_import_preview(text=staged.text)
    labels = {name: written for name, (written, _others) in customer_csv.COLUMNS.items()}
    shown = [name for name in parsed.columns if name not in {"memo", "allergies"}]
    context = {
        "staged": staged,
        "encoding": ENCODING_NAMES.get(staged.encoding, staged.encoding),
        "parsed": parsed,
        "changed": changed,
        "valid_count": parsed.valid_count,
        "unshared_count": parsed.to_import(accept_shared=False),
        "warned_count": parsed.warned_count,
        "warned_rows": parsed.warned_rows,
        "invalid_count": parsed.invalid_count,
        "invalid_rows": parsed.invalid_rows,
        "columns": [(name, labels[name]) for name in shown],
        "valid_table": [
            (row.line, [_cell(name, row.data.get(name)) for name in shown]) for row in parsed.valid_rows
        ],
    }
    return render(request, "staff/salon/customer_import.html", context)


@owner_required
def customer_import_template(request):
    encoding = "cp932" if request.GET.get("encoding") == "cp932" else "utf-8-sig"
    data = customer_csv.encode_csv([customer_csv.header_row(), customer_csv.TEMPLATE_EXAMPLE], encoding)
    response = HttpResponse(data, content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="karte-customers-template.csv"'
    return response


@owner_required
@require_POST
def export_create(request):
    form = ExportForm(request.POST)
    if not form.is_valid():
        context = {"import_form": CustomerImportForm(), "export_form": form, **_exports()}
        return render(request, "staff/salon/data.html", context, status=422)
    export_request(salon=request.salon, actor=request.user, **form.cleaned_data)
    return redirect(reverse("staff:data") + "?made=1#exports")


@owner_required
def export_download(request, pk):
    job = get_export_for_owner(request, pk)
    if job.status != ExportStatus.READY or not job.file or export_is_expired(job):
        return render(request, "staff/salon/export_gone.html", {"job": job}, status=410)
    export_downloaded(job=job, actor=request.user)
    content_type = "application/zip" if job.filename.endswith(".zip") else "text/csv"
    response = stored_file_response(job.file, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@owner_required
def appointment_import_view(request):
    """Bookings kept elsewhere into the ledger: upload, every row checked and shown, then booked."""
    form = AppointmentImportForm(request.POST or None, request.FILES or None)
    rows, text, done, status = None, "", False, 200
    try:
        if request.method == "POST" and request.POST.get("action") == "import":
            text = request.POST.get("text", "")[: 1024 * 1024]
            rows = appointment_import(salon=request.salon, actor=request.user, text=text, commit=True)
            done = True
        elif request.method == "POST" and form.is_valid():
            text, _encoding = customer_csv.decode(form.cleaned_data["file"].read())
            rows = appointment_import(salon=request.salon, actor=request.user, text=text, commit=False)
        elif request.method == "POST":
            status = 422
    except ImportRefused as refused:
        form.add_error("file" if not text else None, str(refused))
        rows, status = None, 422
    context = {
        "form": form,
        "rows": rows,
        "text": text,
        "done": done,
        "ready": [row for row in rows or [] if not row.errors],
        "booked": [row for row in rows or [] if row.booked],
    }
    return render(request, "staff/salon/appointment_import.html", context, status=status)


@owner_required
def appointment_import_template(request):
    data = customer_csv.encode_csv(appointment_csv.TEMPLATE, "utf-8-sig")
    response = HttpResponse(data, content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="karte-appointments-template.csv"'
    return response
