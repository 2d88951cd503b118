"""「予約する」 in the app: menus, a staff member or none, up to three preferred times; and another
time for an appointment already booked (「日時を変更」)."""

import datetime
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from menus.models import MenuItem
from salons.models import StaffMember

FURTHEST_DAYS = 120


def _time_field(label, required=False):
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": "1800"}, format="%Y-%m-%dT%H:%M"),
    )


class PreferredTimesForm(forms.Form):
    """Up to three times that suit the customer, in order, from now to four months ahead."""

    time_1 = _time_field(_("First choice"), required=True)
    time_2 = _time_field(_("Second choice"))
    time_3 = _time_field(_("Third choice"))
    note = forms.CharField(
        label=_("Message to the salon"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def _future(self, name):
        moment = self.cleaned_data.get(name)
        if moment is None:
            return None
        now = timezone.now()
        if moment <= now:
            raise ValidationError(_("Choose a time from now on."))
        if moment > now + datetime.timedelta(days=FURTHEST_DAYS):
            raise ValidationError(_("Choose a time within the next four months."))
        return moment

    def clean_time_1(self):
        return self._future("time_1")

    def clean_time_2(self):
        return self._future("time_2")

    def clean_time_3(self):
        return self._future("time_3")

    def times(self) -> list[datetime.datetime]:
        return [
            self.cleaned_data[name] for name in ("time_1", "time_2", "time_3") if self.cleaned_data.get(name)
        ]


class BookingRequestForm(PreferredTimesForm):
    menus: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Menus"),
        queryset=MenuItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    staff: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Staff"), queryset=StaffMember.objects.none(), required=False, empty_label=_("No preference")
    )
    field_order = ["menus", "staff", "time_1", "time_2", "time_3", "note"]

    def __init__(self, *args, staff_queryset, menu_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["staff"]).queryset = staff_queryset
        cast(forms.ModelMultipleChoiceField, self.fields["menus"]).queryset = menu_queryset
