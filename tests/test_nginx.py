"""Photos through nginx (deploy/nginx/karte.conf) with X-Accel-Redirect: the app checks who may
see a photo and nginx sends the bytes, from the media folder or from S3 (the real RGW when make test
started one). Unpublishing still takes effect at once, and the internal locations are closed."""

import json
import os
import shutil
import uuid

import boto3
import pytest
import requests

from .app_process import OWNER, AppProcess
from .nginx_process import NginxProcess

pytestmark = [
    pytest.mark.process,
    pytest.mark.skipif(
        shutil.which("nginx") is None, reason="needs nginx (scripts/ensure-test-tools installs it)"
    ),
]
RGW = os.environ.get("KARTE_TEST_S3_ENDPOINT_URL", "")
SETUP = """
import datetime, io, json, uuid
from PIL import Image
from customers.models import Customer
from kartes.models import ItemKind
from kartes.services import ItemInput, image_asset_create, karte_create
from linking.services import link_code_issue
from salons.models import Salon, StaffMember
salon = Salon.objects.get()
owner = StaffMember.objects.get()
customer = Customer(salon=salon, name="前 花子", kana="まえ はなこ")
customer.refresh_search_fields()
customer.save()
photo = io.BytesIO()
Image.new("RGB", (800, 600), (30, 140, 200)).save(photo, format="JPEG")
asset, _ = image_asset_create(
    salon=salon, user=owner.user, upload_key=uuid.uuid4(), data=photo.getvalue(), kind="photo"
)
karte = karte_create(
    salon=salon, actor=owner.user, customer=customer, treatment_date=datetime.date(2026, 11, 1), staff=owner,
    menu="カット", items=[ItemInput(kind=ItemKind.PHOTO, image=asset, is_public=True)],
)
numeric = link_code_issue(salon=salon, customer=customer, issued_by=owner).numeric
made = {"image": str(asset.pk), "large": asset.large.name, "item": karte.items.get().pk, "numeric": numeric}
print(json.dumps(made))
"""


def _storage_env(kind):
    if kind == "local":
        return {}
    bucket = f"karte-nginx-{uuid.uuid4().hex[:10]}"
    boto3.client(
        "s3", endpoint_url=RGW, aws_access_key_id=os.environ["KARTE_TEST_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["KARTE_TEST_S3_SECRET_ACCESS_KEY"], region_name="us-east-1",
    ).create_bucket(Bucket=bucket)  # fmt: skip
    return {
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": RGW,
        "S3_ACCESS_KEY_ID": os.environ["KARTE_TEST_S3_ACCESS_KEY_ID"],
        "S3_SECRET_ACCESS_KEY": os.environ["KARTE_TEST_S3_SECRET_ACCESS_KEY"],
        "S3_REGION": "us-east-1",
    }


def _stored_bytes(app, kind, name):
    if kind == "local":
        return (app.media / name).read_bytes()
    code = "from django.core.files.storage import default_storage\n"
    return bytes.fromhex(app.shell(code + f"print(default_storage.open({name!r}).read().hex())"))


@pytest.mark.parametrize(
    "kind", ["local", pytest.param("s3", marks=pytest.mark.skipif(not RGW, reason="no RGW"))]
)
def test_nginx_sends_the_photo_only_after_the_app_said_yes(tmp_path, kind):
    app = AppProcess(
        tmp_path / "app",
        extra_env={"KARTE_ACCEL_REDIRECT": "1", "TRUSTED_PROXIES": "127.0.0.1", **_storage_env(kind)},
    )
    app.prepare()
    made = json.loads(app.shell(SETUP))
    app.start()
    nginx = NginxProcess(tmp_path / "nginx", app_port=app.port, media=app.media)
    nginx.start()
    try:
        photo = _stored_bytes(app, kind, made["large"])
        staff_path = f"/images/{made['image']}/large/"

        staff = requests.Session()
        staff.cookies.set("csrftoken", "k" * 32, domain="127.0.0.1", path="/")
        login = staff.post(
            nginx.url("/login/"),
            data={"username": OWNER[0], "password": OWNER[1], "csrfmiddlewaretoken": "k" * 32},
            timeout=10,
            allow_redirects=False,
        )
        assert login.status_code == 302
        # The app itself answers with the redirect only; nginx sends the bytes.
        direct = requests.get(app.url(staff_path), cookies=staff.cookies, timeout=10)
        assert direct.status_code == 200 and direct.content == b""
        assert direct.headers["X-Accel-Redirect"].startswith("/internal/")
        served = staff.get(nginx.url(staff_path), timeout=10)
        assert served.status_code == 200
        assert served.content == photo
        assert "X-Accel-Redirect" not in served.headers
        assert served.headers["Cache-Control"] == "private, no-store"
        # Nobody reaches the internal locations from outside.
        assert requests.get(nginx.url(f"/internal/media/{made['large']}"), timeout=10).status_code == 404
        assert requests.get(nginx.url(staff_path), timeout=10, allow_redirects=False).status_code == 302

        phone = requests.Session()
        phone.get(nginx.url("/s/process/app/"), timeout=10)
        linked = phone.post(
            nginx.url("/s/process/app/link/"),
            data={"numeric": made["numeric"]},
            headers={"X-CSRFToken": phone.cookies.get("csrftoken") or "", "Accept": "application/json"},
            timeout=10,
        )
        assert linked.status_code == 200, linked.text[:3000]
        phone_path = f"/s/process/app/images/{made['image']}/large/"
        seen = phone.get(nginx.url(phone_path), timeout=10)
        assert seen.status_code == 200 and seen.content == photo
        app.shell(
            "from kartes.models import KarteItem\nfrom kartes.services import item_set_public\n"
            f"item = KarteItem.objects.get(pk={made['item']})\n"
            "item_set_public(item=item, actor=item.karte.created_by, public=False)"
        )
        assert phone.get(nginx.url(phone_path), timeout=10).status_code == 404  # at once
    finally:
        nginx.stop()
        app.stop()
