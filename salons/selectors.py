from urllib.parse import quote_plus

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .models import Salon, StaffMember


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


def staff_members_listed() -> QuerySet[StaffMember]:
    """The salon's staff as the owner's list shows them: active first, owners first, by name."""
    return StaffMember.objects.select_related("user").order_by("-is_active", "-role", "display_name")


def staff_who_can_serve(*, keeping: int | None = None) -> QuerySet[StaffMember]:
    """The staff a karte can name; with `keeping`, that member too even if they have since left."""
    members = StaffMember.objects.filter(is_active=True)
    if keeping is not None:
        members = members | StaffMember.objects.filter(pk=keeping)
    return members.order_by("-role", "display_name")


def staff_member_sent_with(key) -> StaffMember | None:
    """The login an earlier send of the same form created, if any."""
    return StaffMember.objects.filter(client_key=key).first() if key else None
