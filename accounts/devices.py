"""A browser named as a person recognises it in 「ログイン中の端末」: the kind of device and the browser."""

import re

from django.utils.translation import gettext as _

# First match wins: the more specific names come before those they contain (Edge's says Chrome too).
_BROWSERS = [
    (r"EdgiOS|Edg/", "Edge"),
    (r"OPR/|Opera", "Opera"),
    (r"FxiOS|Firefox/", "Firefox"),
    (r"CriOS|Chrome/|Chromium/", "Chrome"),
    (r"Safari/", "Safari"),
]


def device_label(user_agent: str) -> str:
    ua = user_agent or ""
    if "iPad" in ua:
        device = "iPad"
    elif "iPhone" in ua:
        device = "iPhone"
    elif "Android" in ua:
        device = _("Android tablet") if "Mobile" not in ua else _("Android phone")
    elif "Macintosh" in ua:
        # iPadOS asks for desktop pages as a Mac does and cannot be told apart by its address line.
        device = _("Mac or iPad")
    elif "Windows" in ua:
        device = _("Windows PC")
    elif "CrOS" in ua:
        device = "Chromebook"
    elif "Linux" in ua:
        device = _("Linux PC")
    else:
        return _("Unknown device")
    browser = next((name for pattern, name in _BROWSERS if re.search(pattern, ua)), "")
    return f"{device} · {browser}" if browser else device
