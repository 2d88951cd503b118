"""Personal details as staff without 「個人情報を表示」 see them: enough to tell two customers apart
at the counter (the last two digits of a phone), nothing to call or write to."""

import re

from django import template

register = template.Library()

DOT = "•"


@register.filter
def masked(value) -> str:
    text = str(value or "")
    if not text:
        return ""
    if text == "birthday":
        return f"{DOT * 4}/{DOT * 2}/{DOT * 2}"
    if "@" in text:
        return f"{text[0]}{DOT * 3}@{DOT * 3}"
    digits = sum(ch.isdigit() for ch in text)
    if digits >= 6 and not re.search(r"[^\d\s()+\-ー－‐]", text):
        seen = 0

        def hide(match: re.Match) -> str:
            nonlocal seen
            seen += 1
            return match.group(0) if seen > digits - 2 else DOT

        return re.sub(r"\d", hide, text)
    return DOT * 6
