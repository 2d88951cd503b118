"""The logo a salon may upload for its app."""

from collections.abc import Iterator

from common.media import Expected, declare_files

from .models import Salon


def logo_files(using: str = "default") -> Iterator[Expected]:
    for salon in Salon.objects.using(using).exclude(logo="").order_by("pk"):
        yield Expected(salon.logo.name, salon.logo_sha256, salon.logo_size, f"logo of salon {salon.slug}")


declare_files("salons.Salon", ("logo",), rows=logo_files)
