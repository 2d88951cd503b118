"""The karte editor: the visit, and each item (text, photo, drawing, colour recipe)."""

import datetime
import json
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kartes.models import RECIPE_COLUMNS, ImageAsset, ItemKind, PhotoTag
from menus.models import MenuItem
from salons.models import StaffMember

from .base import within_sane_years

TEMPLATES_AVAILABLE = {
    "": _("Blank sheet"),
    "head-front": _("Head (front)"),
    "head-side": _("Head (side)"),
    "head-back": _("Head (back)"),
    "hands": _("Both hands"),
}
MAX_RECIPE_ROWS = 20
MAX_RECIPE_CELL = 60
MAX_DRAWING_BYTES = 2 * 1024 * 1024
MAX_STROKES = 5000
DRAWING_TOOLS = {"pen", "eraser"}


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_stroke(stroke) -> bool:
    """One stroke as the drawing pad makes it: tool, colour, width and a list of [x, y] points."""
    if not isinstance(stroke, dict) or stroke.get("tool") not in DRAWING_TOOLS:
        return False
    if not isinstance(stroke.get("color"), str) or not re.fullmatch(r"#[0-9a-fA-F]{6}", stroke["color"]):
        return False
    points = stroke.get("points")
    return (
        _is_number(stroke.get("width"))
        and isinstance(points, list)
        and bool(points)
        and all(isinstance(p, list) and len(p) == 2 and all(_is_number(c) for c in p) for p in points)
    )


def _weeks(count: int) -> str:
    return gettext("%(count)s weeks") % {"count": count}


# Choices are built when the module loads: each label is translated when shown, in that page's language.
weeks_label = lazy(_weeks, str)


class KarteForm(forms.Form):
    treatment_date = forms.DateField(
        label=_("Treatment date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the treatment date."),
            "invalid": _("Enter the treatment date."),
        },
        validators=[within_sane_years],
    )
    staff: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Staff in charge"),
        queryset=StaffMember.objects.none(),
        error_messages={
            "required": _("Choose the staff in charge."),
            "invalid_choice": _("Choose the staff in charge."),
        },
    )
    menu_items = forms.TypedMultipleChoiceField(
        label=_("Menu"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("A menu picked is no longer in the catalogue. Pick it again.")},
    )
    menu = forms.CharField(
        label=_("Other menus"),
        max_length=200,
        required=False,
        help_text=_("Anything not in the menu list; separate several with 、"),
    )
    nominated = forms.BooleanField(label=_("Requested by the customer (指名)"), required=False)
    next_visit_weeks = forms.TypedChoiceField(
        label=_("Next visit in about"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[
            ("", _("Not set")),
            *((weeks, weeks_label(weeks)) for weeks in (2, 3, 4, 5, 6, 8, 10, 12)),
            (16, _("4 months")),
            (26, _("6 months")),
        ],
        help_text=_("Shown to the customer in the app with the booking link, and used for the reminder."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    save_key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    # Set by the editor once staff confirm that a karte with no menu and no items is meant.
    confirm_empty = forms.BooleanField(required=False, label=_("Save this karte empty"))

    def __init__(self, *args, staff_queryset, birthday=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.birthday = birthday
        self.fields["staff"].queryset = staff_queryset  # type: ignore[attr-defined]
        # Any item of the salon's catalogue, archived ones too: one may be archived mid-edit.
        self.fields["menu_items"].choices = MenuItem.objects.values_list("pk", "name")  # type: ignore[attr-defined]
        self.fields["menu"].widget.attrs.update({"autocomplete": "off"})
        if birthday is not None:
            self.fields["treatment_date"].widget.attrs["min"] = birthday.isoformat()

    def clean_treatment_date(self):
        value = self.cleaned_data["treatment_date"]
        if value > timezone.localdate() + datetime.timedelta(days=366):
            raise ValidationError(_("The treatment date is too far in the future."))
        if self.birthday is not None and value < self.birthday:
            raise ValidationError(
                _("The treatment date cannot be before the customer's birthday (%(birthday)s).")
                % {"birthday": date_format(self.birthday)}
            )
        return value


class ItemForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=ItemKind.choices, widget=forms.HiddenInput)
    text = forms.CharField(
        required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 4}), label=_("Text")
    )
    caption = forms.CharField(required=False, max_length=200, label=_("Caption"))
    photo_tag = forms.ChoiceField(required=False, choices=PhotoTag.choices, label=_("Before/after"))
    angle = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label=_("Angle"))
    image = forms.UUIDField(required=False, widget=forms.HiddenInput)
    drawing = forms.CharField(required=False, widget=forms.HiddenInput)
    template = forms.ChoiceField(
        required=False, choices=list(TEMPLATES_AVAILABLE.items()), widget=forms.HiddenInput
    )
    recipe = forms.CharField(required=False, widget=forms.HiddenInput)
    is_public = forms.BooleanField(required=False, label=_("Public"))

    def __init__(self, *args, karte=None, angles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.karte = karte
        # The salon's angles, read once for all the items (kartes.angles.salon_angles).
        self.angles = {angle.pk: angle for angle in angles}
        self.fields["angle"].choices = [("", "—"), *((angle.pk, angle.name) for angle in angles)]  # type: ignore[attr-defined]

    def clean_angle(self):
        return self.angles.get(self.cleaned_data["angle"])

    def clean_drawing(self):
        raw = self.cleaned_data["drawing"]
        if not raw:
            return None
        if len(raw) > MAX_DRAWING_BYTES:
            raise ValidationError(
                _("The illustration is too detailed to save. Clear some strokes and try again.")
            )
        try:
            strokes = json.loads(raw)
        except (ValueError, RecursionError):
            raise ValidationError(_("The illustration could not be read. Draw it again.")) from None
        if not isinstance(strokes, list) or len(strokes) > MAX_STROKES or not all(map(_is_stroke, strokes)):
            raise ValidationError(_("The illustration could not be read. Draw it again."))
        return strokes

    def clean_recipe(self):
        raw = self.cleaned_data["recipe"]
        if not raw:
            return None
        unreadable = ValidationError(_("The colour recipe could not be read. Enter it again."))
        try:
            rows = json.loads(raw)
        except (ValueError, RecursionError):
            raise unreadable from None
        if not isinstance(rows, list) or len(rows) > MAX_RECIPE_ROWS:
            raise unreadable
        cleaned = []
        for row in rows:
            if not isinstance(row, dict) or not set(row) <= set(RECIPE_COLUMNS):
                raise unreadable
            if not all(isinstance(value, str) for value in row.values()):
                raise unreadable
            if any(len(value) > MAX_RECIPE_CELL for value in row.values()):
                raise ValidationError(
                    _("Keep each box of the colour recipe to %(count)s characters.")
                    % {"count": MAX_RECIPE_CELL}
                )
            row = {name: re.sub(r"\s+", " ", row.get(name, "")).strip() for name in RECIPE_COLUMNS}
            if any(row.values()):
                cleaned.append(row)
        return cleaned or None

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("DELETE"):
            return data
        kind = data.get("kind")
        if kind != ItemKind.RECIPE:
            data["recipe"] = None
        if kind == ItemKind.RECIPE:
            if not data.get("recipe") and not (data.get("text") or "").strip():
                self.add_error("recipe", _("Fill in at least one row of the recipe, or remove this item."))
            # Staff only, whatever was sent.
            data["image"], data["is_public"] = None, False
        elif kind == ItemKind.TEXT:
            if not (data.get("text") or "").strip():
                self.add_error("text", _("Write the text, or remove this item."))
            data["image"] = None
        elif kind in (ItemKind.PHOTO, ItemKind.ILLUSTRATION):
            image_id = data.get("image")
            asset = (
                ImageAsset.objects.prefetch_related("item").filter(pk=image_id).first() if image_id else None
            )
            used_by = getattr(asset, "item", None)
            # The submitted item id proves nothing by itself: the photo must belong to that item
            # of this very karte.
            own = self.karte is not None and used_by is not None and used_by.karte_id == self.karte.pk
            if used_by is not None and not (own and used_by.pk == data.get("id")):
                raise ValidationError(_("This photo already belongs to another item. Upload it again."))
            if asset is None:
                message = (
                    _("The photo has not finished uploading.")
                    if kind == ItemKind.PHOTO
                    else _("Save the illustration first.")
                )
                raise ValidationError(message)
            data["image"] = asset
        if kind != ItemKind.PHOTO:
            data["photo_tag"] = ""
            data["angle"] = None
        if kind != ItemKind.ILLUSTRATION:
            data["drawing"] = None
            data["template"] = ""
        return data


class BaseItemFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            if self._should_delete_form(form) or not form.has_changed():  # type: ignore[attr-defined]
                continue
            image = form.cleaned_data.get("image")
            if image is not None:
                if image.pk in seen:
                    raise ValidationError(_("The same photo was added twice."))
                seen.add(image.pk)


ItemFormSet = forms.formset_factory(
    ItemForm, formset=BaseItemFormSet, extra=0, can_delete=True, can_order=True, max_num=60, validate_max=True
)


# Where salons using Karte are, first; every other zone follows under its own heading.
