"""Photos on S3-compatible object storage (S3_BUCKET): stored privately under random keys and
streamed only through the views that check permission. S3 itself cannot run here, so moto
stands in for the bucket; everything of ours runs as in production."""

import io
import uuid

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope
from moto import mock_aws
from PIL import Image

from kartes.models import ImageAsset

from .factories import make_karte
from .linking_helpers import app_url, linked_phone

BUCKET = "karte-photos"


@pytest.fixture
def bucket(settings):
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "region_name": "us-east-1",
                    "access_key": "test",
                    "secret_key": "test",
                    "default_acl": "private",
                    "file_overwrite": False,
                },
            },
        }
        yield client


def keys(client):
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_uploads_land_in_the_bucket_under_random_private_keys(salon_a, bucket):
    photo = io.BytesIO()
    exif = Image.Exif()
    exif[0xA431] = "SERIAL-123456"
    Image.new("RGB", (800, 600), (200, 100, 50)).save(photo, format="JPEG", exif=exif.tobytes())
    response = salon_a.client().post(
        reverse("staff:image_upload"),
        {
            "upload_key": str(uuid.uuid4()),
            "kind": "photo",
            "file": SimpleUploadedFile("hanako.jpg", photo.getvalue(), "image/jpeg"),
        },
    )
    assert response.status_code == 201
    stored = keys(bucket)
    assert len(stored) == 3 and not any("hanako" in key for key in stored)
    for key in stored:
        grants = bucket.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
        assert all(grant["Grantee"].get("Type") == "CanonicalUser" for grant in grants)
    served = salon_a.client().get(response.json()["large"])
    body = b"".join(served.streaming_content)
    assert Image.open(io.BytesIO(body)).format == "WEBP" and b"SERIAL-123456" not in body


def test_a_phone_gets_public_photos_from_the_bucket_and_nothing_after_unpublishing(salon_a, salon_b, bucket):
    from kartes.services import item_set_public

    karte = make_karte(salon_a, public_photo=True)
    with scope(salon=salon_a.salon):
        item = karte.items.get(kind="photo")
    url = app_url(salon_a, "image", pk=item.image_id, size="large")
    phone = linked_phone(salon_a)
    assert phone.get(url).status_code == 200
    assert linked_phone(salon_b).get(url).status_code in {302, 404}
    with scope(salon=salon_a.salon):
        item_set_public(item=item, actor=salon_a.owner.user, public=False)
    assert phone.get(url).status_code == 404


def test_deleting_a_karte_removes_its_objects(salon_a, bucket, django_capture_on_commit_callbacks):
    karte = make_karte(salon_a)
    assert len(keys(bucket)) == 3
    with django_capture_on_commit_callbacks(execute=True):
        salon_a.client().post(reverse("staff:karte_delete", kwargs={"pk": karte.pk}))
    assert keys(bucket) == []
    with scope(salon=salon_a.salon):
        assert not ImageAsset.objects.exists()


def test_a_bucket_without_keys_stops_start_up():
    from .test_scoping_and_settings import run_django

    result = run_django({"S3_BUCKET": "karte"}, "check")
    assert result.returncode != 0
    assert "S3_BUCKET needs S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY" in result.stderr


def test_verify_and_the_orphan_purge_walk_the_bucket(salon_a, bucket):
    from django.core.files.storage import default_storage

    from common.media import orphans_purge, verify

    make_karte(salon_a)
    default_storage.save("originals/zz/left-by-a-killed-request", io.BytesIO(b"orphan"))
    report = verify()
    assert report.checked == 3
    assert report.missing == report.damaged == []
    assert report.orphans == ["originals/zz/left-by-a-killed-request"]
    import time

    assert orphans_purge(older_than=time.time() + 60) == ["originals/zz/left-by-a-killed-request"]
    assert verify().ok
    assert len(keys(bucket)) == 3


@pytest.mark.django_db(transaction=True)
def test_backup_reads_every_photo_from_the_bucket(salon_a, bucket, tmp_path):
    import hashlib
    import json

    from django.core.management import call_command

    make_karte(salon_a)
    call_command("backup", output=str(tmp_path / "backup"))
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    stored = {
        key: hashlib.sha256(bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read()).hexdigest()
        for key in keys(bucket)
    }
    assert {entry["name"]: entry["sha256"] for entry in manifest["files"]} == stored
