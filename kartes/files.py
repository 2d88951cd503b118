"""The photo files kartes keep: each original, and its display copies once the worker has made them."""

from collections.abc import Iterator

from common.media import Expected, declare_files

from .models import DISPLAY_SIZES, ImageAsset, ImageStatus


def photo_files(using: str = "default") -> Iterator[Expected]:
    for asset in ImageAsset.objects.using(using).order_by("created_at", "id").iterator(chunk_size=500):
        # Display copies still being made (or that could not be) are not expected yet.
        kinds = ("original", *DISPLAY_SIZES) if asset.is_ready else ("original",)
        for kind in kinds:
            name = getattr(asset, kind).name
            if name:
                yield Expected(
                    name,
                    getattr(asset, f"{kind}_sha256"),
                    getattr(asset, f"{kind}_size"),
                    f"image {asset.id}",
                )


def copies_being_made() -> Iterator[Expected]:
    processing = ImageAsset.objects.filter(status=ImageStatus.PROCESSING)
    for asset in processing.order_by("created_at", "id").iterator(chunk_size=500):
        for kind in DISPLAY_SIZES:
            name = getattr(asset, kind).name
            if name:
                yield Expected(name, "", None, f"image {asset.id}, still being made")


declare_files(
    "kartes.ImageAsset",
    ("original", *DISPLAY_SIZES),
    rows=photo_files,
    pending=copies_being_made,
)
