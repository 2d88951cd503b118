from django import template
from django.utils.html import format_html

from salons.colours import brand_colours

register = template.Library()


@register.simple_tag
def brand_style(theme_colour):
    """The CSS custom properties of a salon's colours, each pairing meeting WCAG AA."""
    colours = brand_colours(theme_colour or "#b5838d")
    return format_html(
        "<style>:root {{ --brand: {}; --on-brand: {}; --brand-ink: {}; }}</style>",
        colours.fill,
        colours.on_fill,
        colours.ink,
    )
