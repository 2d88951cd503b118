from django import template
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def honorific() -> str:
    """様 after a customer's name in Japanese; English has no counterpart and shows nothing."""
    return "様" if (get_language() or "").startswith("ja") else ""
