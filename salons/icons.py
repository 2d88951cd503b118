"""App icons for a salon: its logo, or its initial on the theme colour."""

import functools
import hashlib
import io
from pathlib import Path

from django.core.cache import cache
from PIL import Image, ImageDraw, ImageFont, ImageOps

from .colours import brand_colours
from .models import Salon


def _hex_to_rgb(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


# Raised when the drawing below changes, so that phones fetch the new icons.
DESIGN = "3"
# Fonts with Japanese letters, where the system has one (Debian's fonts-noto-cjk; macOS).
CJK_FONTS = [
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/System/Library/Fonts/ヒラギノ角ゴシック W6.ttc"),
]


@functools.cache
def _cjk_font() -> Path | None:
    """Looked for once per process: every app page asks for the icon's version."""
    return next((path for path in CJK_FONTS if path.exists()), None)


def icon_letter(salon: Salon) -> tuple[str, Path | None]:
    """The salon's initial and the font that can draw it (None: the built-in Latin font).

    A Japanese initial needs a Japanese font; without one, the first Latin letter or digit of the
    salon's URL name stands in rather than an empty box.
    """
    letter = salon.initial
    if letter.isascii():
        return letter, None
    font = _cjk_font()
    if font is not None:
        return letter, font
    return next((ch.upper() for ch in salon.slug if ch.isascii() and ch.isalnum()), "K"), None


def icon_version(salon: Salon) -> str:
    """Changes whenever anything drawn on the icon changes: logo, colour or letter."""
    logo = salon.logo.name if salon.logo else ""
    letter, font = icon_letter(salon)
    parts = f"{DESIGN}|{salon.theme_color}|{letter}|{font}|{logo}|{salon.logo_sha256}"
    return hashlib.sha256(parts.encode()).hexdigest()[:12]


def cached_icon_png(salon: Salon, size: int) -> bytes:
    """The icon, drawn once per version and then kept in the cache."""
    key = f"karte:icon:{salon.pk}:{size}:{icon_version(salon)}"
    png = cache.get(key)
    if png is None:
        png = salon_icon_png(salon, size)
        cache.set(key, png, timeout=30 * 24 * 3600)
    return png


def salon_icon_png(salon: Salon, size: int) -> bytes:
    colours = brand_colours(salon.theme_color)  # the app bar's colours: the letter stays readable
    background = _hex_to_rgb(colours.fill)
    canvas = Image.new("RGB", (size, size), background)
    if salon.logo:
        with salon.logo.open("rb") as handle, Image.open(handle) as logo:
            # Keep a margin so the platform's rounded mask does not cut into the logo.
            inner = ImageOps.contain(logo.convert("RGBA"), (int(size * 0.8), int(size * 0.8)))
            white = Image.new("RGB", (size, size), (255, 255, 255))
            white.paste(inner, ((size - inner.width) // 2, (size - inner.height) // 2), inner)
            canvas = white
    else:
        letter, path = icon_letter(salon)
        font = (
            ImageFont.truetype(str(path), int(size * 0.5), index=0)
            if path is not None
            else ImageFont.load_default(size=int(size * 0.55))
        )
        draw = ImageDraw.Draw(canvas)
        draw.text((size / 2, size / 2), letter, fill=_hex_to_rgb(colours.on_fill), font=font, anchor="mm")
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=True)
    return out.getvalue()
