from django import forms
from django.utils.translation import gettext_lazy as _

from push.models import PushKind


class PushKindsForm(forms.Form):
    """Which notices may be pushed to the phones that take push."""

    kinds = forms.MultipleChoiceField(
        label=_("Pushed to phones"),
        choices=PushKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
