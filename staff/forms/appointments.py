"""Booking at the counter or from the ledger."""

import datetime
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appointments.models import AppointmentSource
from menus.models import MenuItem
from salons.models import StaffMember

from .base import CreateOnceMixin, within_sane_years


class MenuChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.minutes}分）" if obj.minutes else obj.name


class AppointmentForm(CreateOnceMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(
        label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time", "step": "900"}, format="%H:%M")
    )
    staff: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Staff"),
        queryset=StaffMember.objects.none(),
        required=False,
        empty_label=_("No preference (指名なし)"),
    )
    menus: forms.ModelMultipleChoiceField = MenuChoiceField(
        label=_("Menus"),
        queryset=MenuItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    minutes = forms.IntegerField(
        label=_("Length (minutes)"),
        required=False,
        min_value=15,
        max_value=600,
        help_text=_("Empty: the menus' durations added up (an hour without them)."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "15"}),
    )
    source = forms.ChoiceField(label=_("Booked through"), choices=AppointmentSource.choices)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, staff_queryset, menu_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        staff = cast(forms.ModelChoiceField, self.fields["staff"])
        menus = cast(forms.ModelMultipleChoiceField, self.fields["menus"])
        staff.queryset, menus.queryset = staff_queryset, menu_queryset

    def clean_date(self):
        date = self.cleaned_data["date"]
        within_sane_years(date)
        return date

    def starts_at(self) -> datetime.datetime:
        return timezone.make_aware(
            datetime.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])
        )

    def clean(self):
        data = super().clean() or {}
        if data.get("date") and data.get("time") and data["time"].minute % 5:
            raise ValidationError({"time": _("Choose a time on a 5-minute step, such as 10:00 or 10:15.")})
        return data


class AppointmentMoveForm(forms.Form):
    """Another day, time, staff member or length: from the appointment's page, or dragged in the ledger."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(
        label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time", "step": "900"}, format="%H:%M")
    )
    staff: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Staff"),
        queryset=StaffMember.objects.none(),
        required=False,
        empty_label=_("No preference (指名なし)"),
    )
    minutes = forms.IntegerField(
        label=_("Length (minutes)"),
        min_value=15,
        max_value=600,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "15"}),
    )

    def __init__(self, *args, staff_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["staff"]).queryset = staff_queryset

    def clean_date(self):
        date = self.cleaned_data["date"]
        within_sane_years(date)
        return date

    def starts_at(self) -> datetime.datetime:
        return timezone.make_aware(
            datetime.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])
        )
