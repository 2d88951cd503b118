"""The salon's settings and its staff logins."""

import re
import zoneinfo

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from PIL import Image

from customers.cleaning import clean_phone
from salons.models import Salon, StaffMember
from salons.services import salon_logo_image

from .account import personal_field, role_field
from .base import CreateOnceMixin

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
            "idle_timeout_minutes",
            "retention_years",
            "second_factor",
            "opens_at",
            "closes_at",
            "reminder_time",
            "app_cancel_hours",
            "app_booking",
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
            "opens_at": forms.TimeInput(attrs={"type": "time", "step": "900"}, format="%H:%M"),
            "closes_at": forms.TimeInput(attrs={"type": "time", "step": "900"}, format="%H:%M"),
            "app_cancel_hours": forms.NumberInput(attrs={"min": "0", "max": "336", "inputmode": "numeric"}),
            "reminder_time": forms.TimeInput(attrs={"type": "time", "step": "900"}, format="%H:%M"),
            "idle_timeout_minutes": forms.NumberInput(
                attrs={"min": "5", "max": "720", "inputmode": "numeric"}
            ),
        }
        error_messages = {"app_name": {"max_length": _("Keep the app name to 12 characters or fewer.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["second_factor"].required = False
        # Left out of a form sent without them (an older page): the hours stay as they are.
        for name in ("opens_at", "closes_at", "app_booking"):
            self.fields[name].required = False
        for name in ("map_url", "booking_url", "line_url", "instagram_url", "website_url"):
            self.fields[name].error_messages["invalid"] = _(
                "Enter a web address such as https://example.jp/."
            )

    def clean(self):
        data = super().clean() or {}
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("Closing comes after opening."))
        return data

    def clean_app_booking(self):
        return self.cleaned_data["app_booking"] or self.instance.app_booking

    def clean_opens_at(self):
        return self.cleaned_data["opens_at"] or self.instance.opens_at

    def clean_closes_at(self):
        return self.cleaned_data["closes_at"] or self.instance.closes_at

    def clean_second_factor(self):
        # Left out of a form sent without it (an older page): the salon's rule stays as it is.
        return self.cleaned_data["second_factor"] or self.instance.second_factor

    def clean_idle_timeout_minutes(self):
        minutes = self.cleaned_data["idle_timeout_minutes"]
        if minutes is not None and not 5 <= minutes <= 720:
            raise ValidationError(_("Enter between 5 and 720 minutes, or leave it empty."))
        return minutes

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
    role = role_field()
    can_view_personal = personal_field()

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
        fields = ["display_name", "role", "can_view_personal", "is_active"]
