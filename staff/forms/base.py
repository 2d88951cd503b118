"""What every staff form may share: a key against double sends, and sane dates."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class CreateOnceMixin(forms.Form):
    """A hidden key chosen when the form is shown: sending the same form twice creates one object."""

    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_key", uuid.uuid4())


def within_sane_years(value) -> None:
    """Dates outside 1900–2100 are typing slips, and some cannot even be stored (year 1)."""
    if not 1900 <= value.year <= 2100:
        raise ValidationError(_("Enter a date between 1900 and 2100."))
