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


WEEKDAYS = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]


def _time_field(label):
    return forms.TimeField(
        label=label,
        required=False,
        widget=forms.TimeInput(attrs={"type": "time", "step": "900"}, format="%H:%M"),
    )


class ShiftsForm(forms.Form):
    """The week: the salon's hours every day, or own hours per weekday (a weekday not ticked is off)."""

    mode = forms.ChoiceField(
        label=_("Working hours"),
        choices=[
            ("salon", _("The salon's opening hours, every day")),
            ("weekly", _("Own hours per weekday")),
        ],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for weekday, name in enumerate(WEEKDAYS):
            self.fields[f"works_{weekday}"] = forms.BooleanField(label=name, required=False)
            self.fields[f"from_{weekday}"] = _time_field(_("From"))
            self.fields[f"until_{weekday}"] = _time_field(_("Until"))

    def rows(self):
        return [
            (name, self[f"works_{weekday}"], self[f"from_{weekday}"], self[f"until_{weekday}"])
            for weekday, name in enumerate(WEEKDAYS)
        ]

    def clean(self):
        data = super().clean() or {}
        if data.get("mode") != "weekly":
            return data
        for weekday in range(7):
            if not data.get(f"works_{weekday}"):
                continue
            start, end = data.get(f"from_{weekday}"), data.get(f"until_{weekday}")
            if start is None or end is None:
                self.add_error(f"from_{weekday}", _("Enter both times, or untick the day."))
            elif end <= start:
                self.add_error(f"until_{weekday}", _("The end comes after the start."))
        return data

    def week(self) -> dict[int, tuple[datetime.time, datetime.time]] | None:
        data = self.cleaned_data
        if data["mode"] != "weekly":
            return None
        return {d: (data[f"from_{d}"], data[f"until_{d}"]) for d in range(7) if data.get(f"works_{d}")}


class ShiftExceptionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    off = forms.BooleanField(label=_("Day off"), required=False, initial=True)
    starts_at = _time_field(_("From"))
    ends_at = _time_field(_("Until"))

    def clean_date(self):
        date = self.cleaned_data["date"]
        within_sane_years(date)
        return date

    def clean(self):
        data = super().clean() or {}
        if not data.get("off"):
            start, end = data.get("starts_at"), data.get("ends_at")
            if start is None or end is None:
                self.add_error("starts_at", _("Enter both times, or tick 「Day off」."))
            elif end <= start:
                self.add_error("ends_at", _("The end comes after the start."))
        return data
