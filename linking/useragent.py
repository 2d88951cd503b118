import re

_DEVICES = [
    (re.compile(r"iPad"), "iPad"),
    (re.compile(r"iPhone"), "iPhone"),
    (re.compile(r"Android"), "Android"),
    (re.compile(r"Macintosh"), "Mac"),
    (re.compile(r"Windows"), "Windows"),
    (re.compile(r"Linux"), "Linux"),
]
_BROWSERS = [
    (re.compile(r"SamsungBrowser"), "Samsung Internet"),
    (re.compile(r"EdgA?/|Edg/"), "Edge"),
    (re.compile(r"CriOS|Chrome/"), "Chrome"),
    (re.compile(r"FxiOS|Firefox/"), "Firefox"),
    (re.compile(r"Safari/"), "Safari"),
]


def device_label(user_agent: str) -> str:
    """A short, human label for a phone, e.g. "iPhone / Safari"."""
    device = next((name for pattern, name in _DEVICES if pattern.search(user_agent or "")), "")
    browser = next((name for pattern, name in _BROWSERS if pattern.search(user_agent or "")), "")
    return " / ".join(part for part in (device, browser) if part) or "—"
