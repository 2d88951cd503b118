"""Photos on S3-compatible object storage (S3_BUCKET): stored privately under random keys and
streamed only through the views that check permission. make test runs these against a real
S3 server, Ceph's RADOS Gateway (deploy/rgw); where it cannot start, moto's in-process S3 stands in,
and the test run's header says which one it was."""

import io
import os
import uuid
from dataclasses import dataclass
from typing import Any

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

RGW_ENDPOINT = os.environ.get("KARTE_TEST_S3_ENDPOINT_URL", "")


@dataclass
class Bucket:
    client: Any
    name: str

    def keys(self) -> list[str]:
        return [item["Key"] for item in self.client.list_objects_v2(Bucket=self.name).get("Contents", [])]

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


def _storage(name, *, endpoint=None, access="test", secret="test"):
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": name,
            "endpoint_url": endpoint,
            "region_name": "us-east-1",
            "access_key": access,
            "secret_key": secret,
            "default_acl": "private",
            "file_overwrite": False,
            "signature_version": "s3v4",
        },
    }


@pytest.fixture
def bucket(settings):
    """A fresh bucket on the real RGW when make test started one (KARTE_TEST_S3_*), else on moto."""
    name = f"karte-photos-{uuid.uuid4().hex[:12]}"
    if RGW_ENDPOINT:
        access, secret = (
            os.environ["KARTE_TEST_S3_ACCESS_KEY_ID"],
            os.environ["KARTE_TEST_S3_SECRET_ACCESS_KEY"],
        )
        client = boto3.client(
            "s3", endpoint_url=RGW_ENDPOINT, aws_access_key_id=access, aws_secret_access_key=secret,
            region_name="us-east-1",
        )  # fmt: skip
        client.create_bucket(Bucket=name)
        settings.STORAGES = {
            **settings.STORAGES,
            "default": _storage(name, endpoint=RGW_ENDPOINT, access=access, secret=secret),
        }
        yield Bucket(client, name)
        return
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=name)
        settings.STORAGES = {**settings.STORAGES, "default": _storage(name)}
        yield Bucket(client, name)


def keys(bucket: Bucket) -> list[str]:
    return bucket.keys()


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
    assert len(stored) == 5 and not any("hanako" in key for key in stored)
    for key in stored:
        grants = bucket.client.get_object_acl(Bucket=bucket.name, Key=key)["Grants"]
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
    assert len(keys(bucket)) == 5
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
    assert report.checked == 5
    assert report.missing == report.damaged == []
    assert report.orphans == ["originals/zz/left-by-a-killed-request"]
    import time

    assert orphans_purge(older_than=time.time() + 60) == ["originals/zz/left-by-a-killed-request"]
    assert verify().ok
    assert len(keys(bucket)) == 5


@pytest.mark.django_db(transaction=True)
def test_backup_reads_every_photo_from_the_bucket(salon_a, bucket, tmp_path):
    import hashlib
    import json

    from django.core.management import call_command

    make_karte(salon_a)
    call_command("backup", output=str(tmp_path / "backup"))
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    stored = {key: hashlib.sha256(bucket.read(key)).hexdigest() for key in keys(bucket)}
    assert {entry["name"]: entry["sha256"] for entry in manifest["files"]} == stored


def test_a_wrong_secret_is_refused_by_the_server(bucket):
    """SigV4 is checked for real: only a real S3 server can show it (moto accepts any secret)."""
    import botocore

    if not RGW_ENDPOINT:
        pytest.skip("moto does not check signatures; needs the RGW that make test starts")
    impostor = boto3.client(
        "s3", endpoint_url=RGW_ENDPOINT, aws_access_key_id=os.environ["KARTE_TEST_S3_ACCESS_KEY_ID"],
        aws_secret_access_key="not-the-secret", region_name="us-east-1",
    )  # fmt: skip
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        impostor.list_objects_v2(Bucket=bucket.name)
    assert refused.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
