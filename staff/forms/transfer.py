from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from transfer.customer_csv import MAX_BYTES
from transfer.models import ExportEncoding, ExportKind


class CustomerImportForm(forms.Form):
    file = forms.FileField(
        label=_("Customer CSV file"),
        help_text=_("Saved from Excel as CSV (Shift_JIS or UTF-8). The first row names the columns."),
        error_messages={"required": _("Choose the CSV file to import."), "empty": _("The file is empty.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(_("The file is larger than 10 MB. Split it into smaller files."))
        return upload


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to export"), choices=ExportKind.choices, widget=forms.RadioSelect)
    encoding = forms.ChoiceField(
        label=_("Character encoding of the CSV"),
        choices=ExportEncoding.choices,
        initial=ExportEncoding.CP932,
        widget=forms.RadioSelect,
        help_text=_(
            "Shift_JIS opens directly in Excel on Windows; characters it lacks (such as 𠮷) become “?”."
        ),
    )


class AppointmentImportForm(forms.Form):
    file = forms.FileField(
        label=_("Appointments CSV file"),
        help_text=_("Saved from Excel as CSV (Shift_JIS or UTF-8). The first row names the columns."),
        error_messages={"required": _("Choose the CSV file to import."), "empty": _("The file is empty.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 1024 * 1024:
            raise ValidationError(_("Import at most 1 MB of appointments at a time."))
        return upload
