"""Notices to everyone or to one customer."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .base import CreateOnceMixin, within_sane_years


class NoticeForm(CreateOnceMixin, forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=100, error_messages={"required": _("Enter a title.")}
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 7}),
        error_messages={"required": _("Write the message.")},
    )
    starts_at = forms.DateTimeField(
        label=_("Shown from"),
        validators=[within_sane_years],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": _("Enter when the notice starts."),
            "invalid": _("Enter a date and time."),
        },
    )
    ends_at = forms.DateTimeField(
        label=_("Shown until"),
        validators=[within_sane_years],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": _("Enter when the notice ends."), "invalid": _("Enter a date and time.")},
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must be after the start."))
        return data
