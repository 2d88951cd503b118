"""The counselling sheet as the customer fills it in: one field per question of the salon's sheet,
who they are (when they come through a link, without the app), and the signed consent."""

import datetime
import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counselling.models import Question, QuestionKind, Sheet
from counselling.services import SignatureError, signature_png
from customers.cleaning import PersonFieldsMixin

ANSWER_REQUIRED = _("Please answer this question.")
YES, NO = "yes", "no"
YES_NO_CHOICES = [(YES, _("Yes")), (NO, _("No"))]


def _field_for(question: Question) -> forms.Field:
    common: dict[str, Any] = {
        "label": question.label,
        "required": question.required,
        "help_text": question.help_text,
        "error_messages": {"required": ANSWER_REQUIRED},
    }
    choices = [(choice, choice) for choice in question.choices]
    if question.kind == QuestionKind.SHORT:
        return forms.CharField(max_length=200, **common)
    if question.kind == QuestionKind.LONG:
        return forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), **common)
    if question.kind == QuestionKind.SINGLE:
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if question.kind == QuestionKind.MULTIPLE:
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    if question.kind == QuestionKind.YES_NO:
        return forms.ChoiceField(choices=YES_NO_CHOICES, widget=forms.RadioSelect, **common)
    common["error_messages"]["invalid"] = _("Enter a date.")
    return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common)


def _initial_value(answer: dict):
    value = answer.get("value")
    if answer.get("kind") == QuestionKind.YES_NO and isinstance(value, bool):
        return YES if value else NO
    return value


class SheetForm(PersonFieldsMixin, forms.Form):
    """Identity fields come first when the sender is not known (a link or the counter's QR code)."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=60,
        error_messages={"required": _("Enter your name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name", "placeholder": _("e.g. 山田 花子")}),
    )
    kana = forms.CharField(
        label=_("Furigana"),
        max_length=60,
        error_messages={"required": _("Enter the furigana of your name.")},
        widget=forms.TextInput(attrs={"placeholder": _("e.g. やまだ はなこ")}),
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        error_messages={"required": _("Enter your phone number, so the salon can reach you.")},
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel", "placeholder": "090-1234-5678"}
        ),
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        error_messages={"invalid": _("Enter an email address such as hanako@example.jp.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "hanako@example.jp"}),
    )
    birthday = forms.DateField(
        label=_("Date of birth"),
        required=False,
        error_messages={"invalid": _("Enter the birthday as a date.")},
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
    )
    agree = forms.BooleanField(
        label=_("I have read the above and agree."),
        error_messages={"required": _("Please read the consent and tick the box to agree.")},
    )
    signature = forms.CharField(required=False, widget=forms.HiddenInput)
    # The same form sent twice keeps one sheet (counselling.services.sheet_response_submit).
    client_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args, sheet: Sheet, questions: list[Question], known_sender: bool, last=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("client_key", uuid.uuid4())
        self.sheet = sheet
        self.questions = questions
        if known_sender:
            for name in ("name", "kana", "phone", "email", "birthday"):
                del self.fields[name]
        if not sheet.consent_text:
            del self.fields["agree"]
            del self.fields["signature"]
        earlier = {answer.get("question"): answer for answer in (last.answers if last else [])}
        for question in questions:
            field = _field_for(question)
            if question.pk in earlier:
                field.initial = _initial_value(earlier[question.pk])
            self.fields[f"q{question.pk}"] = field

    @property
    def identity_fields(self):
        return [self[name] for name in ("name", "kana", "phone", "email", "birthday") if name in self.fields]

    @property
    def question_fields(self):
        return [self[f"q{question.pk}"] for question in self.questions]

    def clean_birthday(self):
        birthday = self.cleaned_data["birthday"]
        if birthday and not (datetime.date(1900, 1, 1) <= birthday <= timezone.localdate()):
            raise ValidationError(_("Enter your birthday as a date in the past."))
        return birthday

    def clean_signature(self):
        drawn = self.cleaned_data["signature"]
        if not drawn:
            raise ValidationError(_("Please sign with your finger in the box."))
        try:
            self.signature_png = signature_png(drawn)
        except SignatureError:
            raise ValidationError(
                _("The signature could not be read. Please clear it and sign again.")
            ) from None
        return drawn

    def answers(self) -> list[dict]:
        """The answers in the order asked, each with the question's wording of today."""
        result = []
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            if question.kind == QuestionKind.YES_NO:
                value = value == YES if value in (YES, NO) else None
            elif question.kind == QuestionKind.DATE:
                value = value.isoformat() if value else None
            elif value in ("", [], None):
                value = None
            result.append(
                {"question": question.pk, "label": question.label, "kind": question.kind, "value": value}
            )
        return result

    def identity(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("name", "kana", "phone", "email", "birthday")
            if name in self.fields
        }
