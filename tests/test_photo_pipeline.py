"""The photo pipeline decides by decoding, strips every trace of metadata from display copies,
and stores a retried upload once."""

import io
import struct
import uuid
import zlib

import pillow_heif
import pytest
from django.urls import reverse
from django_scopes import scope
from PIL import Image

from kartes.images import ImageRejected, process_image
from kartes.models import ImageAsset

from .factories import image_bytes

GPS_IFD = 0x8825
ORIENTATION = 0x0112
BODY_SERIAL = 0xA431


def jpeg_with_exif(*, size=(400, 200), orientation=1):
    image = Image.new("RGB", size, (255, 0, 0))
    # The left half red, the right half blue: lets a test see which way the picture was turned.
    image.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "CameraMaker"
    exif[BODY_SERIAL] = "SERIAL-123456"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (35.0, 39.0, 29.0), 3: "E", 4: (139.0, 44.0, 28.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), quality=95)
    return out.getvalue()


def test_display_copies_carry_no_metadata():
    original = jpeg_with_exif()
    assert b"SERIAL-123456" in original
    _info, processed = process_image(original)
    for copy in (processed.large, processed.small):
        image = Image.open(io.BytesIO(copy))
        assert image.format == "WEBP"
        assert not image.getexif()
        assert "exif" not in image.info and "xmp" not in image.info and "icc_profile" not in image.info
        assert b"SERIAL-123456" not in copy and b"CameraMaker" not in copy


def test_display_copies_are_turned_upright():
    # Orientation 6: the camera was turned, the viewer must rotate 90° clockwise.
    _info, processed = process_image(jpeg_with_exif(size=(400, 200), orientation=6))
    image = Image.open(io.BytesIO(processed.large)).convert("RGB")
    assert image.size == (200, 400)
    top, bottom = image.crop((100, 20, 101, 21)).tobytes(), image.crop((100, 380, 101, 381)).tobytes()
    assert top[0] > 200 and top[2] < 60  # red now on top
    assert bottom[2] > 200 and bottom[0] < 60  # blue below


def test_heic_from_an_iphone_is_accepted():
    heif = pillow_heif.from_pillow(Image.new("RGB", (800, 600), (10, 200, 30)))
    out = io.BytesIO()
    heif.save(out, quality=80)
    info, processed = process_image(out.getvalue())
    assert info.format == "HEIF"
    assert Image.open(io.BytesIO(processed.large)).size == (800, 600)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted(fmt):
    assert process_image(image_bytes(fmt, size=(2000, 1000)))[1].width == 1600


def test_large_copy_is_bounded_and_small_copy_is_a_thumbnail():
    _info, processed = process_image(image_bytes(size=(4000, 3000)))
    assert (processed.width, processed.height) == (1600, 1200)
    assert max(Image.open(io.BytesIO(processed.small)).size) == 320


def test_a_file_that_is_not_an_image_is_refused_whatever_its_name():
    with pytest.raises(ImageRejected, match="読み込める画像ではありません"):
        process_image(b"%PDF-1.4 this is a document, not a photo")


def test_an_image_format_we_do_not_take_is_refused():
    with pytest.raises(ImageRejected, match="読み込める画像ではありません"):
        process_image(image_bytes("GIF"))


def png_claiming(width, height):
    """A valid PNG header that claims a huge picture, followed by a little compressed data."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\0" * (1 + width * 3) * 4, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def test_a_decompression_bomb_is_refused():
    bomb = png_claiming(30000, 30000)
    assert len(bomb) < 10_000
    with pytest.raises(ImageRejected, match="不正なサイズ"):
        process_image(bomb)


def test_too_many_megapixels_is_refused(settings):
    settings.KARTE_PHOTO_MAX_PIXELS = 1_000_000
    noisy = Image.effect_noise((1200, 1000), 80).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, format="JPEG", quality=95)
    with pytest.raises(ImageRejected, match="画素数が多すぎます"):
        process_image(out.getvalue())


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.KARTE_PHOTO_MAX_BYTES = 10_000
    with pytest.raises(ImageRejected, match="ファイルが大きすぎます"):
        process_image(image_bytes(size=(2000, 2000)) + b"\0" * 10_000)


def test_a_truncated_photo_is_refused():
    data = image_bytes(size=(1200, 900))
    with pytest.raises(ImageRejected):
        process_image(data[: len(data) // 3])


def _upload(client, data, key, name="photo.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("staff:image_upload"),
        {"upload_key": str(key), "kind": "photo", "file": SimpleUploadedFile(name, data, "image/jpeg")},
    )


def test_a_retried_upload_makes_one_photo(salon_a):
    client = salon_a.client()
    key = uuid.uuid4()
    first = _upload(client, jpeg_with_exif(), key)
    second = _upload(client, jpeg_with_exif(), key)
    assert first.status_code == 201
    assert second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    with scope(salon=salon_a.salon):
        assert ImageAsset.objects.count() == 1


def test_upload_answers_a_clear_message_for_a_non_image(salon_a):
    response = _upload(salon_a.client(), b"just some text", uuid.uuid4(), name="photo.jpg")
    assert response.status_code == 422
    assert "読み込める画像ではありません" in response.json()["error"]


def test_originals_and_copies_are_stored_under_random_names(salon_a):
    response = _upload(salon_a.client(), jpeg_with_exif(), uuid.uuid4(), name="yamada-hanako.jpg")
    with scope(salon=salon_a.salon):
        asset = ImageAsset.objects.get(pk=response.json()["id"])
    for field in (asset.original, asset.large, asset.small):
        assert "yamada" not in field.name
        assert field.storage.exists(field.name)


def test_photos_are_served_to_the_salons_staff_only(salon_a, salon_b, client):
    response = _upload(salon_a.client(), jpeg_with_exif(), uuid.uuid4())
    url = response.json()["large"]
    served = salon_a.client().get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/webp"
    # A shared salon tablet keeps no photo in its browser cache after a logout.
    assert served["Cache-Control"] == "private, no-store"
    assert b"SERIAL-123456" not in b"".join(served.streaming_content)
    assert salon_b.client().get(url).status_code == 404
    assert client.get(url).status_code == 302


def test_storage_writes_nothing_but_complete_files(tmp_path):
    from django.core.files.base import ContentFile

    from common.storage import AtomicFileSystemStorage

    storage = AtomicFileSystemStorage(location=tmp_path)
    name = storage.save("display/ab/photo.webp", ContentFile(b"x" * 100_000))
    assert storage.open(name).read() == b"x" * 100_000
    assert [p.name for p in (tmp_path / "display" / "ab").iterdir()] == ["photo.webp"]
    second = storage.save("display/ab/photo.webp", ContentFile(b"y"))
    assert second != name and storage.open(second).read() == b"y"


def test_uploads_never_saved_in_a_karte_are_purged_after_a_day(salon_a, django_capture_on_commit_callbacks):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from .factories import make_karte

    kept = make_karte(salon_a)
    stale = _upload(salon_a.client(), jpeg_with_exif(), uuid.uuid4()).json()["id"]
    fresh = _upload(salon_a.client(), jpeg_with_exif(), uuid.uuid4()).json()["id"]
    with scopes_disabled():
        ImageAsset.objects.filter(pk=stale).update(created_at=timezone.now() - datetime.timedelta(hours=25))
        asset = ImageAsset.objects.get(pk=stale)
        stale_files = [asset.original.name, asset.large.name, asset.small.name]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_unused_uploads")
    with scopes_disabled():
        remaining = set(ImageAsset.objects.values_list("pk", flat=True))
        in_karte = kept.items.get(kind="photo").image_id
    assert remaining == {in_karte, uuid.UUID(fresh)}
    assert not any(asset.large.storage.exists(name) for name in stale_files)
