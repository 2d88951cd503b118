"""The photo pipelines `make bench` compares, side by side in one run on the same files.

- ours: kartes.images (header check, then libvips shrinking while it decodes)
- pyvips: the anchor — libvips doing the same job the plain way (two thumbnails of the file)
- Pillow draft: Pillow with JPEG draft mode (decoding at 1/2, 1/4 or 1/8 size) and reducing_gap
- Pillow, full decode: the pipeline before libvips (every pixel decoded, Lanczos from full size)

Same output from all: upright, sRGB, WebP at quality 82 with no metadata, at the four display sizes
(1600, 800, 320 and 192 px).
"""

import io

import pyvips
from PIL import Image, ImageCms, ImageOps

from kartes.images import (
    LARGE_EDGE,
    WEBP_EFFORT,
    WEBP_QUALITY,
    display_size,
    inspect_image,
    make_copies,
)
from kartes.models import DISPLAY_SIZES

EDGES = list(DISPLAY_SIZES.values())


def ours(data: bytes) -> list[bytes]:
    inspect_image(data)
    return list(make_copies(data).copies().values())


def pyvips_plain(data: bytes) -> list[bytes]:
    out = []
    for edge in EDGES:
        image = pyvips.Image.thumbnail_buffer(data, edge, height=edge, size="down", export_profile="srgb")
        out.append(image.webpsave_buffer(Q=WEBP_QUALITY, effort=WEBP_EFFORT, keep="none"))
    return out


def _srgb(image: Image.Image) -> Image.Image:
    icc = image.info.get("icc_profile")
    mode = "RGBA" if "A" in image.getbands() else "RGB"
    if icc:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(
            image.convert(mode), source, ImageCms.createProfile("sRGB"), outputMode=mode
        )
        return converted if converted is not None else image.convert(mode)
    return image.convert(mode)


def _webp(image: Image.Image) -> bytes:
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    clean.save(out, format="WEBP", quality=WEBP_QUALITY, method=WEBP_EFFORT)
    return out.getvalue()


def pillow_draft(data: bytes) -> list[bytes]:
    image = Image.open(io.BytesIO(data))
    if image.format in ("JPEG", "MPO"):
        # The smallest DCT scale (1/2, 1/4, 1/8) that still covers the large copy.
        image.draft("RGB", display_size(*image.size))
    upright = _srgb(ImageOps.exif_transpose(image))
    upright.thumbnail((LARGE_EDGE, LARGE_EDGE), Image.Resampling.LANCZOS, reducing_gap=3.0)
    out = []
    for edge in EDGES:
        copy = upright.copy()
        copy.thumbnail((edge, edge), Image.Resampling.LANCZOS, reducing_gap=3.0)
        out.append(_webp(copy))
    return out


def pillow_full(data: bytes) -> list[bytes]:
    upright = _srgb(ImageOps.exif_transpose(Image.open(io.BytesIO(data))))
    out = []
    for edge in EDGES:
        copy = upright.copy()
        copy.thumbnail((edge, edge), Image.Resampling.LANCZOS)
        out.append(_webp(copy))
    return out


PIPELINES = {
    "ours (libvips)": ours,
    "pyvips, plain (anchor)": pyvips_plain,
    "Pillow with draft mode": pillow_draft,
    "Pillow, full decode (before)": pillow_full,
}
ANCHOR = "pyvips, plain (anchor)"
