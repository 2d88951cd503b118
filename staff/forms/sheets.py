import re

from django import forms
from django.utils.translation import gettext_lazy as _

from counselling.models import CHOICE_KINDS, Question, Sheet
from customers.models import Customer
from menus.presets import SalonType

MAX_CHOICES = 20


class SheetSettingsForm(forms.ModelForm):
    class Meta:
        model = Sheet
        fields = ["intro", "consent_text", "shows_answers_to_customer"]
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
            "consent_text": forms.Textarea(attrs={"rows": 5, "maxlength": 4000}),
        }


class QuestionForm(forms.ModelForm):
    choices_text = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One choice per line, for questions answered by choosing."),
    )

    class Meta:
        model = Question
        fields = ["label", "kind", "help_text", "required"]
        error_messages = {"label": {"required": _("Write the question.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["choices_text"].initial = "\n".join(self.instance.choices)

    def clean_label(self):
        return re.sub(r"\s+", " ", self.cleaned_data["label"]).strip()

    def clean(self):
        cleaned = super().clean() or {}
        lines = [re.sub(r"\s+", " ", line).strip() for line in cleaned.get("choices_text", "").splitlines()]
        choices = list(dict.fromkeys(line[:100] for line in lines if line))
        if cleaned.get("kind") in CHOICE_KINDS:
            if len(choices) < 2:
                self.add_error("choices_text", _("Give at least two choices, one per line."))
            elif len(choices) > MAX_CHOICES:
                self.add_error("choices_text", _("Give at most %(count)d choices.") % {"count": MAX_CHOICES})
        else:
            choices = []
        self.instance.choices = choices
        return cleaned


class SheetPresetForm(forms.Form):
    salon_type = forms.ChoiceField(label=_("Kind of salon"), choices=SalonType.choices)


class SheetLinkForm(forms.Form):
    note = forms.CharField(
        label=_("For whom (only staff see this)"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("e.g. 山田様 3/14 予約")}),
    )


class SheetFileForm(forms.Form):
    customer: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=Customer.objects.none(),
        error_messages={
            "required": _("Choose the customer to file this sheet onto."),
            "invalid_choice": _("Choose the customer to file this sheet onto."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Scoped to the salon: another salon's customer is not a choice.
        self.fields["customer"].queryset = Customer.objects.filter(archived_at=None)  # type: ignore[attr-defined]
