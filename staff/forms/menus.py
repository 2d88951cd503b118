import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.text import parse_yen
from menus.models import MenuCategory
from menus.presets import SalonType


def _one_line(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


class PriceField(forms.CharField):
    """Yen, however typed (5,500 / ￥5500 / ５５００円); empty for a menu without a fixed price."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "placeholder": "5500"}),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return parse_yen(value)
        except ValueError:
            raise ValidationError(_("Enter the price in yen as a number, such as 5500.")) from None


class MenuCategoryForm(forms.Form):
    name = forms.CharField(
        label=_("Category name"), max_length=40, error_messages={"required": _("Enter the category name.")}
    )

    def clean_name(self):
        return _one_line(self.cleaned_data["name"])


class MenuItemForm(forms.Form):
    category: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Category"),
        queryset=MenuCategory.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose a category.")},
    )
    name = forms.CharField(
        label=_("Menu name"), max_length=60, error_messages={"required": _("Enter the menu name.")}
    )
    price = PriceField(label=_("Price (yen, tax included)"))
    minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        required=False,
        min_value=5,
        max_value=600,
        help_text=_("How long it takes: a booking's length is its menus' durations added up."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "5"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = MenuCategory.objects.filter(  # type: ignore[attr-defined]
            archived_at__isnull=True
        ).order_by("position", "id")

    def clean_name(self):
        return _one_line(self.cleaned_data["name"])


class MenuPresetForm(forms.Form):
    salon_type = forms.ChoiceField(label=_("Kind of salon"), choices=SalonType.choices)
