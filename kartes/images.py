"""The photo pipeline: decide what a file is by reading its header, then make clean display copies.

Display copies are the only image data a customer will ever receive, so they are
re-encoded from pixels alone: turned upright from EXIF orientation, converted to
sRGB, and written with no EXIF, XMP, GPS, ICC or camera data at all.

The upload request only runs inspect_image (a header read, a few milliseconds) and stores
the original; the copies are made by make_copies in a background task. libvips does the
work: it decodes a JPEG at a reduced size straight from the file ("shrink-on-load") and
streams the pixels, so a 12-megapixel photo needs a fraction of the time and memory of
decoding it whole (`make bench` compares it with the alternatives).
"""

import io
import warnings
from dataclasses import dataclass

import pillow_heif
import pyvips
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "HEIF", "MPO"}
LARGE_EDGE = 1600
MEDIUM_EDGE = 800
SMALL_EDGE = 320
THUMB_EDGE = 192
WEBP_QUALITY = 82
WEBP_EFFORT = 4
# EXIF orientations 5–8 turn the picture by a quarter: width and height swap.
QUARTER_TURNS = {5, 6, 7, 8}
# Pixels already in sRGB (or grey, which WebP stores as sRGB): no colour conversion needed.
SRGB_LIKE = {"srgb", "b-w", "rgb"}
HEIF_BRANDS = {b"ftypheic", b"ftypheix", b"ftyphevc", b"ftyphevx", b"ftypmif1", b"ftypmsf1"}


class ImageRejected(Exception):
    """The upload is not a photo we can take; the message is for the person who sent it.

    code says which kind of refusal it was, so that a refusal met later by the background
    worker can be stored and shown again in whatever language the reader uses.
    """

    def __init__(self, message: str, *, code: str = "unreadable"):
        super().__init__(message)
        self.code = code


def _unreadable() -> ImageRejected:
    return ImageRejected(
        _("This file is not an image we can read. Use a JPEG, PNG, WebP or HEIC photo."), code="unreadable"
    )


def _damaged() -> ImageRejected:
    return ImageRejected(
        _("The image is damaged or incomplete. Please take or choose it again."), code="damaged"
    )


@dataclass(frozen=True)
class ImageInfo:
    format: str
    # The size the large display copy will have, upright.
    width: int
    height: int


@dataclass(frozen=True)
class ProcessedImage:
    width: int
    height: int
    large: bytes
    medium: bytes
    small: bytes
    thumb: bytes

    def copies(self) -> dict[str, bytes]:
        return {"large": self.large, "medium": self.medium, "small": self.small, "thumb": self.thumb}


def display_size(width: int, height: int, edge: int = LARGE_EDGE) -> tuple[int, int]:
    scale = min(1.0, edge / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def inspect_image(data: bytes) -> ImageInfo:
    """Check an upload from its header alone; raise ImageRejected with a clear message."""
    max_pixels = settings.KARTE_PHOTO_MAX_PIXELS
    if len(data) > settings.KARTE_PHOTO_MAX_BYTES:
        raise ImageRejected(
            _("The file is too large (%(size)d MB). Photos can be up to %(limit)d MB.")
            % {"size": len(data) // (1024 * 1024), "limit": settings.KARTE_PHOTO_MAX_BYTES // (1024 * 1024)},
            code="too_large",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image_format = str(image.format)
            orientation = image.getexif().get(0x0112, 1)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(_("This image claims an impossible size and was refused."), code="bomb") from None
    except Exception:
        raise _unreadable() from None
    if image_format not in ACCEPTED_FORMATS:
        raise _unreadable()
    width, height = image.size
    if width * height > max_pixels:
        # A tiny file that claims a huge picture is a decompression bomb, not a camera photo.
        if width * height > 1000 * len(data):
            raise ImageRejected(_("This image claims an impossible size and was refused."), code="bomb")
        raise ImageRejected(
            _("The photo has too many pixels (%(mp)d megapixels). Photos can be up to %(limit)d megapixels.")
            % {"mp": width * height // 1_000_000, "limit": max_pixels // 1_000_000},
            code="too_many_pixels",
        )
    if orientation in QUARTER_TURNS:
        width, height = height, width
    large_width, large_height = display_size(width, height)
    return ImageInfo(format=image_format, width=large_width, height=large_height)


def _webp(image: pyvips.Image) -> bytes:
    # keep="none": no EXIF, XMP, IPTC or ICC block in the copy, only pixels.
    return image.webpsave_buffer(Q=WEBP_QUALITY, effort=WEBP_EFFORT, keep="none")


def _heif_large(data: bytes) -> pyvips.Image:
    # libvips as packaged has no HEVC decoder: pillow-heif decodes (turned upright by libheif), and
    # libvips shrinks and converts the pixels, which is where the time goes.
    heif = pillow_heif.open_heif(data, convert_hdr_to_8bit=True)
    picture = ImageOps.exif_transpose(heif.to_pillow())
    icc = picture.info.get("icc_profile")
    if picture.mode not in ("RGB", "RGBA"):
        picture = picture.convert("RGBA" if "A" in picture.mode else "RGB")
    pixels = pyvips.Image.new_from_memory(
        picture.tobytes(), picture.width, picture.height, len(picture.mode), "uchar"
    ).copy(interpretation="srgb")
    large = pixels.thumbnail_image(LARGE_EDGE, height=LARGE_EDGE, size="down")
    if icc:
        large.set_type(pyvips.GValue.blob_type, "icc-profile-data", icc)
        large = large.icc_transform("srgb", embedded=True)
    return large.copy_memory()


def make_copies(data: bytes) -> ProcessedImage:
    """The large and small display copies of a photo that passed inspect_image."""
    try:
        if data[4:12] in HEIF_BRANDS:
            large = _heif_large(data)
        else:
            # thumbnail turns the picture upright and shrinks while decoding; fail_on=truncated
            # refuses a half-sent file instead of greying it out. A colour conversion costs as much
            # again, so it is asked for only where there is something to convert.
            header = pyvips.Image.new_from_buffer(data, "")
            needs_conversion = (
                header.get_typeof("icc-profile-data") != 0 or header.interpretation not in SRGB_LIKE
            )
            large = pyvips.Image.thumbnail_buffer(
                data,
                LARGE_EDGE,
                height=LARGE_EDGE,
                size="down",
                option_string="fail_on=truncated",
                **({"export_profile": "srgb"} if needs_conversion else {}),
            ).copy_memory()
        # Each smaller copy is made from the large one: already upright, sRGB and in memory.
        smaller = {
            name: _webp(large.thumbnail_image(edge, height=edge, size="down"))
            for name, edge in (("medium", MEDIUM_EDGE), ("small", SMALL_EDGE), ("thumb", THUMB_EDGE))
        }
        return ProcessedImage(width=large.width, height=large.height, large=_webp(large), **smaller)
    except (pyvips.Error, ValueError, OSError):
        raise _damaged() from None


def process_image(data: bytes) -> tuple[ImageInfo, ProcessedImage]:
    """Check an upload and make its display copies at once (illustrations, the demo, tests)."""
    info = inspect_image(data)
    return info, make_copies(data)
