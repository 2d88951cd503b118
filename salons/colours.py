"""Colours derived from a salon's theme colour so that every text on it, and the colour as text,
meets WCAG AA (a contrast of at least 4.5 : 1), whatever colour the owner picks."""

import functools
from dataclasses import dataclass

INK = "#2d2a32"  # the pages' text colour
WHITE = "#ffffff"
CANVAS = "#f8f5f3"  # the lightest background brand-coloured text sits on
AA = 4.5


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def luminance(colour: str) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def darken_until(colour: str, *, against: str, ratio: float = AA) -> str:
    """The colour, made darker step by step (same hue) until it stands out from `against`."""
    r, g, b = _rgb(colour)
    for step in range(0, 101):
        keep = 1 - step / 100
        candidate = _hex((r * keep, g * keep, b * keep))
        if contrast(candidate, against) >= ratio:
            return candidate
    return "#000000"


@dataclass(frozen=True)
class BrandColours:
    fill: str  # backgrounds: the app bar, primary buttons, tags
    on_fill: str  # text on those
    ink: str  # the brand colour as text or links on the light pages


# Worked out once per colour and process: the search for a readable shade takes most of a millisecond,
# and every page draws its header in these colours.
@functools.lru_cache(maxsize=1024)
def brand_colours(theme: str) -> BrandColours:
    try:
        _rgb(theme)
    except ValueError:
        theme = "#b5838d"
    if contrast(WHITE, theme) >= AA:
        fill, on_fill = theme, WHITE
    elif contrast(INK, theme) >= 7:
        # A light colour (pastel yellow, mint) keeps its look with dark text on it.
        fill, on_fill = theme, INK
    else:
        # A middle colour: a deeper shade of it carries white text.
        fill, on_fill = darken_until(theme, against=WHITE), WHITE
    return BrandColours(fill=fill, on_fill=on_fill, ink=darken_until(theme, against=CANVAS))
