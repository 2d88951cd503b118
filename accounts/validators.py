"""Passwords a salon's staff would try first, beyond Django's list of 20,000 common ones: the words
of Japanese everyday life and of the trade, the salon's own name, the product's name. Such a word
with digits or symbols around it (sakura2026!, hana-salon) is refused as well."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WORDS = {
    "karte", "karute", "salon", "saron", "biyoushitsu", "biyoushi", "hair", "nail", "eyelash", "matsuge",
    "sakura", "hanako", "taro", "tarou", "hana", "yuki", "momo", "haru", "natsu", "aki", "fuyu",
    "tokyo", "osaka", "nihon", "nippon", "japan", "arigatou", "arigato", "daisuki", "aishiteru",
    "doraemon", "pikachu", "totoro", "kitty", "naruto", "onepiece", "ohayou", "konnichiwa",
    "qwerty", "asdfgh", "password", "passw0rd", "pasuwado", "pasuwaado", "admin", "welcome",
}  # fmt: skip


def _core(password: str) -> str:
    """The letters of a password, folded: full-width to half-width, lower case, digits and marks off."""
    folded = unicodedata.normalize("NFKC", password).casefold()
    return re.sub(r"[^a-z\u3040-\u30ff\u4e00-\u9fff]", "", folded)


class SalonWordsValidator:
    def validate(self, password: str, user=None) -> None:
        core = _core(password)
        words = set(WORDS)
        member = getattr(user, "staff_member", None) if user is not None else None
        if member is not None:
            words |= {_core(member.salon.name), _core(member.salon.slug)}
        words.discard("")
        if core in words:
            message = _("This password is a common word with digits around it. Choose one harder to guess.")
            raise ValidationError(message, code="password_salon_word")

    def get_help_text(self) -> str:
        return _("Not a common word or the salon's name with digits around it.")
