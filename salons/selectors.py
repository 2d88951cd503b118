from urllib.parse import quote_plus

from django.utils.translation import gettext as _

from .models import Salon


def salon_card(*, salon: Salon) -> dict:
    """What the customer app shows of the salon under 「お店」: only the parts the owner filled in."""
    map_url = salon.map_url or (
        f"https://www.google.com/maps/search/?api=1&query={quote_plus(salon.address)}"
        if salon.address
        else ""
    )
    links = [
        (label, url)
        for label, url in (
            ("LINE", salon.line_url),
            ("Instagram", salon.instagram_url),
            (_("Website"), salon.website_url),
        )
        if url
    ]
    return {
        "name": salon.name,
        "phone": salon.phone,
        "phone_digits": "".join(ch for ch in salon.phone if ch.isdigit() or ch == "+"),
        "address": salon.address,
        "map_url": map_url,
        "opening_hours": salon.opening_hours,
        "booking_url": salon.booking_url,
        "links": links,
        "has_any": bool(salon.phone or salon.address or salon.opening_hours or salon.booking_url or links),
    }
