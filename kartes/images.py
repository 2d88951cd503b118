"""The photo pipeline: decide what a file is by decoding it, then make clean display copies.

Display copies are the only image data a customer will ever receive, so they are
re-encoded from pixels alone: turned upright from EXIF orientation, converted to
sRGB, and written with no EXIF, XMP, GPS or camera data at all.
"""

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "HEIF", "MPO"}
LARGE_EDGE = 1600
SMALL_EDGE = 320
WEBP_QUALITY = 82


class ImageRejected(Exception):
    """The upload is not a photo we can take; the message is for the person who sent it."""


@dataclass(frozen=True)
class ProcessedImage:
    original_format: str
    width: int
    height: int
    large: bytes
    small: bytes


def _open_checked(data: bytes) -> Image.Image:
    max_pixels = settings.KARTE_PHOTO_MAX_PIXELS
    if len(data) > settings.KARTE_PHOTO_MAX_BYTES:
        raise ImageRejected(
            _("The file is too large (%(size)d MB). Photos can be up to %(limit)d MB.")
            % {"size": len(data) // (1024 * 1024), "limit": settings.KARTE_PHOTO_MAX_BYTES // (1024 * 1024)}
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image_format = image.format
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(_("This image claims an impossible size and was refused.")) from None
    except Exception:
        raise ImageRejected(
            _("This file is not an image we can read. Use a JPEG, PNG, WebP or HEIC photo.")
        ) from None
    if image_format not in ACCEPTED_FORMATS:
        raise ImageRejected(_("This file is not an image we can read. Use a JPEG, PNG, WebP or HEIC photo."))
    width, height = image.size
    if width * height > max_pixels:
        # A tiny file that claims a huge picture is a decompression bomb, not a camera photo.
        if width * height > 1000 * len(data):
            raise ImageRejected(_("This image claims an impossible size and was refused."))
        raise ImageRejected(
            _("The photo has too many pixels (%(mp)d megapixels). Photos can be up to %(limit)d megapixels.")
            % {"mp": width * height // 1_000_000, "limit": max_pixels // 1_000_000}
        )
    try:
        image.load()
    except Exception:
        raise ImageRejected(
            _("The image is damaged or incomplete. Please take or choose it again.")
        ) from None
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    icc = image.info.get("icc_profile")
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    target_mode = "RGBA" if has_alpha else "RGB"
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(
                image.convert(target_mode), source, ImageCms.createProfile("sRGB"), outputMode=target_mode
            )
            image = converted if converted is not None else image.convert(target_mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            image = image.convert(target_mode)
    else:
        image = image.convert(target_mode)
    return image


def _encode(image: Image.Image, edge: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    # A fresh image from raw pixels carries no info dictionary, so nothing can ride along.
    clean = Image.frombytes(copy.mode, copy.size, copy.tobytes())
    out = io.BytesIO()
    clean.save(out, format="WEBP", quality=WEBP_QUALITY, method=4)
    return out.getvalue()


def process_image(data: bytes) -> ProcessedImage:
    """Check an upload and return its display copies, or raise ImageRejected with a clear message."""
    image = _open_checked(data)
    original_format = str(image.format)
    upright = ImageOps.exif_transpose(image)
    upright = _to_srgb(upright)
    large = _encode(upright, LARGE_EDGE)
    small = _encode(upright, SMALL_EDGE)
    width, height = upright.size
    scale = min(1.0, LARGE_EDGE / max(width, height))
    return ProcessedImage(
        original_format=original_format,
        width=max(1, round(width * scale)),
        height=max(1, round(height * scale)),
        large=large,
        small=small,
    )
