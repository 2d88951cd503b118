"""Backup and restore, one command each: back up, wipe, restore, and every file is byte-identical,
verified and served by the app again. Runs against real files and the suite's real database
(pg_dump/pg_restore on PostgreSQL, SQLite's online backup API on SQLite)."""

import hashlib
import io
import json

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django_scopes import scopes_disabled
from PIL import Image

from kartes.models import ImageAsset, Karte
from salons.models import Salon
from salons.services import salon_update_settings

from .factories import make_karte

pytestmark = pytest.mark.django_db(transaction=True)


def _all_files():
    from common.media import stored_names

    return {name: hashlib.sha256(default_storage.open(name).read()).hexdigest() for name in stored_names()}


def test_backup_wipe_restore_gives_back_every_file_byte_for_byte(salon_a, own_storage):
    make_karte(salon_a)
    make_karte(salon_a, text="二回目")
    logo = io.BytesIO()
    Image.new("RGB", (300, 300), (10, 120, 200)).save(logo, format="PNG")
    logo.seek(0)
    logo.name = "logo.png"
    with scopes_disabled():
        salon_update_settings(salon=salon_a.salon, actor=salon_a.owner.user, data={}, logo=logo)
        image_ids = list(ImageAsset.objects.values_list("id", flat=True))
    before = _all_files()
    assert len(before) == 11  # 2 photos × 5 files (original and four sizes) + the logo

    output = own_storage / "backup"
    call_command("backup", output=str(output))
    manifest = json.loads((output / "manifest.json").read_text())
    assert {entry["name"]: entry["sha256"] for entry in manifest["files"]} == before

    with pytest.raises(CommandError, match="already has salons"):
        call_command("restore", str(output))

    call_command("flush", interactive=False)
    for name in before:
        default_storage.delete(name)
    with scopes_disabled():
        assert not Salon.objects.exists()
    assert _all_files() == {}

    call_command("restore", str(output))
    assert _all_files() == before
    call_command("verify_media")
    with scopes_disabled():
        assert Karte.objects.count() == 2
        asset = ImageAsset.objects.get(pk=image_ids[0])
    client = salon_a.client()
    for size in ("small", "large", "original"):
        response = client.get(reverse("staff:image", kwargs={"pk": asset.pk, "size": size}))
        assert response.status_code == 200
        served = b"".join(response.streaming_content)
        assert hashlib.sha256(served).hexdigest() == before[getattr(asset, size).name]


def test_a_damaged_backup_is_refused_before_anything_is_restored(salon_a, own_storage):
    make_karte(salon_a)
    output = own_storage / "backup"
    call_command("backup", output=str(output))
    manifest = json.loads((output / "manifest.json").read_text())
    damaged = output / "media" / manifest["files"][0]["name"]
    damaged.write_bytes(damaged.read_bytes()[:-10])
    call_command("flush", interactive=False)
    with pytest.raises(CommandError, match="missing or damaged"):
        call_command("restore", str(output))
    with scopes_disabled():
        assert not Salon.objects.exists()


def test_verify_media_finds_missing_damaged_and_orphan_files(salon_a, own_storage):
    make_karte(salon_a)
    with scopes_disabled():
        asset = ImageAsset.objects.get()
    default_storage.delete(asset.small.name)
    with default_storage.open(asset.large.name, "wb") as handle:
        handle.write(b"not the photo any more")
    default_storage.save("display/zz/stray.webp", io.BytesIO(b"stray"))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_media", stdout=out)
    report = out.getvalue()
    assert f"Missing: 1\n  {asset.small.name}" in report
    assert f"Damaged (checksum or size differs): 1\n  {asset.large.name}" in report
    assert "display/zz/stray.webp" in report
