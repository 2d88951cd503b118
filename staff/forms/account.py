"""A staff member's own account, and the pages reached from a mailed link."""

import re

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.services import email_taken
from salons.models import StaffMember, StaffRole


class PasswordForgotForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )


def _username_free(username: str, user) -> str:
    username = username.strip()
    if not re.fullmatch(r"[\w.@+-]+", username):
        raise ValidationError(_("Use letters, digits and @/./+/-/_ only."))
    if get_user_model().objects.filter(username__iexact=username).exclude(pk=user.pk).exists():
        raise ValidationError(_("This login name is already taken."))
    return username


class InvitationAcceptForm(auth_forms.SetPasswordForm):
    """The invitee's own login name and password."""

    username = forms.CharField(
        label=_("Login name"),
        max_length=150,
        help_text=_("Letters, digits and @/./+/-/_ only. You can also log in with your email address."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    field_order = ["username", "new_password1", "new_password2"]

    def clean_username(self):
        username = _username_free(self.cleaned_data["username"], self.user)
        # The password validators compare the password with the name being chosen (not saved here).
        self.user.username = username
        return username


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    pass


class EmailChangeForm(forms.Form):
    email = forms.EmailField(
        label=_("New email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if email.casefold() == (self.user.email or "").casefold():
            raise ValidationError(_("This is already your email address."))
        if email_taken(email, but=self.user):
            raise ValidationError(_("Another login already uses this email address."))
        return email

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("The current password is not correct."))
        return password


def role_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Role"), choices=StaffRole.choices, initial=StaffRole.STYLIST)


def personal_field() -> forms.BooleanField:
    """「個人情報を表示」, as the owner sets it for a new staff member."""
    return forms.BooleanField(
        label=_("May see personal details"),
        required=False,
        initial=True,
        help_text=StaffMember._meta.get_field("can_view_personal").help_text,
    )


class StaffInviteForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=60)
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("The invitation is sent here. It is valid for 7 days."),
        widget=forms.EmailInput(attrs={"autocomplete": "off", "inputmode": "email"}),
    )
    role = role_field()
    can_view_personal = personal_field()

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if email_taken(email):
            raise ValidationError(_("Another login already uses this email address."))
        return email


def password_help() -> str:
    return password_validation.password_validators_help_text_html()


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6 digits of your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "autofocus": True}
        ),
    )
