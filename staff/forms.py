import datetime
import json
import re
import uuid
import zoneinfo

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from PIL import Image

from common.text import normalize_postcode, parse_customer_number
from customers.cleaning import PersonFieldsMixin, clean_phone
from customers.models import Customer, number_text
from customers.services import AUDITED_FIELDS
from kartes.models import RECIPE_COLUMNS, ImageAsset, ItemKind, PhotoTag
from menus.models import MenuItem
from salons.models import Salon, StaffMember, StaffRole
from salons.services import salon_logo_image

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


def within_sane_years(value) -> None:
    """Dates outside 1900–2100 are typing slips, and some cannot even be stored (year 1)."""
    if not 1900 <= value.year <= 2100:
        raise ValidationError(_("Enter a date between 1900 and 2100."))


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


class CreateOnceMixin(forms.Form):
    """A hidden key chosen when the form is shown: sending the same form twice creates one object."""

    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_key", uuid.uuid4())


POSTCODE_MESSAGE = _("Enter the postcode as 7 digits, such as 150-0001.")
NUMBER_MESSAGE = _("Enter the customer number in digits (up to 8), such as 00123.")


class CustomerForm(PersonFieldsMixin, CreateOnceMixin, forms.ModelForm):
    # Only when adding a customer: afterwards the number never changes.
    number = forms.CharField(
        label=_("Customer number"),
        required=False,
        help_text=_("Leave empty to give the next free number."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "placeholder": "00123"}),
    )

    class Meta:
        model = Customer
        fields = list(AUDITED_FIELDS)  # what staff edit is what the log records
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("e.g. 山田 花子")}),
            "kana": forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("e.g. やまだ はなこ")}),
            "phone": forms.TextInput(
                attrs={"type": "tel", "inputmode": "tel", "placeholder": "090-1234-5678"}
            ),
            "other_phone": forms.TextInput(
                attrs={"type": "tel", "inputmode": "tel", "placeholder": "03-1234-5678"}
            ),
            "email": forms.EmailInput(attrs={"inputmode": "email", "placeholder": "hanako@example.jp"}),
            "birthday": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "postcode": forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "off", "placeholder": "150-0001"}
            ),
            "address": forms.TextInput(attrs={"autocomplete": "off"}),
            "allergies": forms.Textarea(attrs={"rows": 2}),
            "memo": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "name": {"required": _("Enter the customer's name.")},
            "kana": {"required": _("Enter the furigana.")},
            "email": {"invalid": _("Enter an email address such as hanako@example.jp.")},
            "birthday": {"invalid": _("Enter the birthday as a date.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The model keeps any length; what staff type into the memos is bounded here.
        for name in ("memo", "allergies"):
            self.fields[name].validators.append(MaxLengthValidator(4000))
            self.fields[name].widget.attrs["maxlength"] = "4000"
        if self.instance.pk is not None:
            del self.fields["number"]

    def clean_number(self):
        try:
            number = parse_customer_number(self.cleaned_data["number"])
        except ValueError:
            raise ValidationError(NUMBER_MESSAGE) from None
        if number is not None and Customer.objects.filter(number=number).exists():
            raise ValidationError(
                _("Customer number %(number)s is already used by another customer.")
                % {"number": number_text(number)}
            )
        return number

    def clean_postcode(self):
        try:
            return normalize_postcode(self.cleaned_data["postcode"])
        except ValueError:
            raise ValidationError(POSTCODE_MESSAGE) from None

    def clean_address(self):
        return re.sub(r"\s+", " ", self.cleaned_data["address"]).strip()

    def clean_other_phone(self):
        return clean_phone(self.cleaned_data["other_phone"])

    def clean_birthday(self):
        birthday = self.cleaned_data["birthday"]
        if birthday and birthday > timezone.localdate():
            raise ValidationError(_("The birthday cannot be in the future."))
        if birthday:
            within_sane_years(birthday)
        return birthday


class CustomerSearchForm(forms.Form):
    SORTS = [("kana", _("あいうえお order")), ("visit", _("Last visit"))]
    q = forms.CharField(required=False, label=_("Search"))
    sort = forms.ChoiceField(required=False, choices=SORTS)
    archived = forms.BooleanField(required=False, label=_("Archived customers"))


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
    image = forms.UUIDField(required=False, widget=forms.HiddenInput)
    drawing = forms.CharField(required=False, widget=forms.HiddenInput)
    template = forms.ChoiceField(
        required=False, choices=list(TEMPLATES_AVAILABLE.items()), widget=forms.HiddenInput
    )
    recipe = forms.CharField(required=False, widget=forms.HiddenInput)
    is_public = forms.BooleanField(required=False, label=_("Public"))

    def __init__(self, *args, karte=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.karte = karte

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
                ImageAsset.objects.select_related("item").filter(pk=image_id).first() if image_id else None
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
LIKELY_TIMEZONES = [
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Taipei",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Singapore",
    "Asia/Bangkok",
    "Pacific/Honolulu",
    "America/Los_Angeles",
    "Europe/London",
]


def _timezone_choices():
    others = sorted(
        name for name in zoneinfo.available_timezones() if "/" in name and name not in LIKELY_TIMEZONES
    )
    return [
        (_("Frequently used"), [(name, name) for name in LIKELY_TIMEZONES]),
        (_("All time zones"), [(name, name) for name in others]),
    ]


def _https_by_default(field, **kwargs):
    # A web address typed without its scheme (reserve.example.jp) is taken as https.
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class SalonSettingsForm(forms.ModelForm):
    timezone = forms.ChoiceField(label=_("Time zone"), choices=_timezone_choices)
    logo_upload = forms.ImageField(
        required=False,
        label=_("Logo"),
        help_text=_("A square image works best. It is used for the customer app's icon."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )

    class Meta:
        model = Salon
        formfield_callback = _https_by_default
        fields = [
            "name",
            "app_name",
            "theme_color",
            "timezone",
            "max_devices_per_customer",
            "app_shows_menu",
            "app_shows_prices",
            "karte_message",
            "phone",
            "address",
            "map_url",
            "opening_hours",
            "booking_url",
            "line_url",
            "instagram_url",
            "website_url",
        ]
        widgets = {
            "karte_message": forms.Textarea(attrs={"rows": 3, "maxlength": "500"}),
            "opening_hours": forms.Textarea(
                attrs={"rows": 3, "placeholder": _("e.g. 10:00–19:00, closed on Tuesdays")}
            ),
            "phone": forms.TextInput(
                attrs={"type": "tel", "inputmode": "tel", "placeholder": "03-1234-5678"}
            ),
            "line_url": forms.TextInput(
                attrs={"inputmode": "url", "placeholder": "https://lin.ee/… / @salon"}
            ),
            "instagram_url": forms.TextInput(attrs={"inputmode": "url", "placeholder": "@salon"}),
            "theme_color": forms.TextInput(attrs={"type": "color"}),
            "app_name": forms.TextInput(attrs={"maxlength": "12", "autocomplete": "off"}),
            "max_devices_per_customer": forms.NumberInput(
                attrs={"min": "1", "max": "20", "inputmode": "numeric"}
            ),
        }
        error_messages = {"app_name": {"max_length": _("Keep the app name to 12 characters or fewer.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("map_url", "booking_url", "line_url", "instagram_url", "website_url"):
            self.fields[name].error_messages["invalid"] = _(
                "Enter a web address such as https://example.jp/."
            )

    def clean_app_name(self):
        return re.sub(r"\s+", " ", self.cleaned_data["app_name"]).strip()

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])

    def clean_karte_message(self):
        message = self.cleaned_data["karte_message"].strip()
        if len(message) > 500:
            raise ValidationError(_("Keep the message to 500 characters or fewer."))
        return message

    def _handle(self, name: str, prefix: str) -> None:
        # An @name is what salons print on their cards; it becomes the page's address.
        raw = (self.data.get(name) or "").strip()
        if re.fullmatch(r"@[\w.\-]{1,60}", raw):
            data = self.data.copy()  # type: ignore[attr-defined]
            data[name] = prefix + (raw if "line" in prefix else raw[1:] + "/")
            self.data = data

    def full_clean(self):
        if self.is_bound:
            self._handle("line_url", "https://line.me/R/ti/p/")
            self._handle("instagram_url", "https://www.instagram.com/")
        super().full_clean()

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        if not upload:
            return upload
        try:
            # Decoded whole here, so a truncated or hostile file is refused with a message.
            self.logo_png = salon_logo_image(upload)
        except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
            raise ValidationError(_("This image could not be read. Choose a PNG or JPEG file.")) from None
        upload.seek(0)
        return upload


class StaffCreateForm(CreateOnceMixin, forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=60)
    username = forms.CharField(
        label=_("Login name"),
        max_length=150,
        help_text=_("Letters, digits and @/./+/-/_ only."),
    )
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, min_length=8)
    role = forms.ChoiceField(label=_("Role"), choices=StaffRole.choices, initial=StaffRole.STYLIST)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if not re.fullmatch(r"[\w.@+-]+", username):
            raise ValidationError(_("Use letters, digits and @/./+/-/_ only."))
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This login name is already taken."))
        return username


class StaffEditForm(forms.ModelForm):
    class Meta:
        model = StaffMember
        fields = ["display_name", "role", "is_active"]


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
