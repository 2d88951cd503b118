"""Where the app's home-screen icon is served: the address changes with each version of the icon."""

from django.urls import reverse

from salons.icons import icon_version
from salons.models import Salon


def icon_url(salon: Salon, size: int) -> str:
    """The icon's address, different for each version: it can be cached for good."""
    path = reverse("customer_app:icon", kwargs={"slug": salon.slug, "size": size})
    return f"{path}?v={icon_version(salon)}"
