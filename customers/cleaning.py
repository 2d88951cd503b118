"""A person's name, furigana and phone number as forms take them, whoever types them: staff on the
tablet or the customer on their own phone."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.text import is_kana, normalize_phone

PHONE_MESSAGE = _("Enter a phone number of 10 or 11 digits, such as 090-1234-5678.")


def clean_name(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def clean_kana(value: str) -> str:
    kana = value.strip()
    if not is_kana(kana):
        raise ValidationError(_("Write the furigana in hiragana or katakana."))
    return kana


def clean_phone(value: str) -> str:
    try:
        return normalize_phone(value)
    except ValueError:
        raise ValidationError(PHONE_MESSAGE) from None


class PersonFieldsMixin:
    """For a form with name, kana and phone fields: each taken as above."""

    cleaned_data: dict

    def clean_name(self):
        return clean_name(self.cleaned_data["name"])

    def clean_kana(self):
        return clean_kana(self.cleaned_data["kana"])

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])
