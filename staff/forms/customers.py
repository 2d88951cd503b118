"""Adding, changing and finding customers."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.text import normalize_postcode, parse_customer_number
from customers.cleaning import PersonFieldsMixin, clean_phone
from customers.models import Customer, number_text
from customers.services import AUDITED_FIELDS

from .base import CreateOnceMixin, within_sane_years

POSTCODE_MESSAGE = _("Enter the postcode as 7 digits, such as 150-0001.")
NUMBER_MESSAGE = _("Enter the customer number in digits (up to 8), such as 00123.")


# What 「個人情報を表示」 guards: shown masked, and left out of the edit form, without it.
PERSONAL_FIELDS = ("phone", "other_phone", "email", "birthday", "postcode", "address")


class CustomerForm(PersonFieldsMixin, CreateOnceMixin, forms.ModelForm):
    # Only when adding a customer: afterwards the number never changes.
    number = forms.CharField(
        label=_("Customer number"),
        required=False,
        help_text=_("Leave empty to give the next free number."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "placeholder": "00123"}),
    )

    class Meta:
        model = Customer
        fields = list(AUDITED_FIELDS)  # what staff edit is what the log records
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("e.g. 山田 花子")}),
            "kana": forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("e.g. やまだ はなこ")}),
            "phone": forms.TextInput(
                attrs={"type": "tel", "inputmode": "tel", "placeholder": "090-1234-5678"}
            ),
            "other_phone": forms.TextInput(
                attrs={"type": "tel", "inputmode": "tel", "placeholder": "03-1234-5678"}
            ),
            "email": forms.EmailInput(attrs={"inputmode": "email", "placeholder": "hanako@example.jp"}),
            "birthday": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "postcode": forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "off", "placeholder": "150-0001"}
            ),
            "address": forms.TextInput(attrs={"autocomplete": "off"}),
            "allergies": forms.Textarea(attrs={"rows": 2}),
            "memo": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "name": {"required": _("Enter the customer's name.")},
            "kana": {"required": _("Enter the furigana.")},
            "email": {"invalid": _("Enter an email address such as hanako@example.jp.")},
            "birthday": {"invalid": _("Enter the birthday as a date.")},
        }

    def __init__(self, *args, personal: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not personal:
            # Without 「個人情報を表示」 the details are neither shown nor changed from this form.
            for name in PERSONAL_FIELDS:
                self.fields.pop(name, None)
        # The model keeps any length; what staff type into the memos is bounded here.
        for name in ("memo", "allergies"):
            self.fields[name].validators.append(MaxLengthValidator(4000))
            self.fields[name].widget.attrs["maxlength"] = "4000"
        if self.instance.pk is not None:
            del self.fields["number"]

    def clean_number(self):
        try:
            number = parse_customer_number(self.cleaned_data["number"])
        except ValueError:
            raise ValidationError(NUMBER_MESSAGE) from None
        if number is not None and Customer.objects.filter(number=number).exists():
            raise ValidationError(
                _("Customer number %(number)s is already used by another customer.")
                % {"number": number_text(number)}
            )
        return number

    def clean_postcode(self):
        try:
            return normalize_postcode(self.cleaned_data["postcode"])
        except ValueError:
            raise ValidationError(POSTCODE_MESSAGE) from None

    def clean_address(self):
        return re.sub(r"\s+", " ", self.cleaned_data["address"]).strip()

    def clean_other_phone(self):
        return clean_phone(self.cleaned_data["other_phone"])

    def clean_birthday(self):
        birthday = self.cleaned_data["birthday"]
        if birthday and birthday > timezone.localdate():
            raise ValidationError(_("The birthday cannot be in the future."))
        if birthday:
            within_sane_years(birthday)
        return birthday


class CustomerSearchForm(forms.Form):
    SORTS = [("kana", _("あいうえお order")), ("visit", _("Last visit"))]
    q = forms.CharField(required=False, label=_("Search"))
    sort = forms.ChoiceField(required=False, choices=SORTS)
    archived = forms.BooleanField(required=False, label=_("Archived customers"))
