"""SIGKILL mid-upload and mid-save, again and again, against a real server process (gunicorn),
with the client retrying as the upload queue and the karte editor do (same upload key, same
client key). Afterwards: no truncated file, no duplicate row, no orphan after the purge and no
stray spool file. KARTE_CRASH_KILLS sets the number of kills (20 in make test, 200 in make soak).
"""

import http.client
import io
import json
import os
import random
import time
import uuid
from typing import Any

import pytest
import requests
from PIL import Image
from urllib3 import encode_multipart_formdata

from .app_process import AppProcess

pytestmark = pytest.mark.process
KILLS = int(os.environ.get("KARTE_CRASH_KILLS", "20"))


def _big_jpeg() -> bytes:
    # Over FILE_UPLOAD_MAX_MEMORY_SIZE (5 MB), so the upload is spooled to disk while it arrives.
    out = io.BytesIO()
    Image.frombytes("RGB", (2200, 2200), os.urandom(2200 * 2200 * 3)).save(out, format="JPEG", quality=97)
    assert out.tell() > 5 * 1024 * 1024
    return out.getvalue()


class Client:
    """Sends requests the way the tablet does, and can be cut off halfway through one."""

    def __init__(self, app: AppProcess, session: requests.Session):
        self.app = app
        self.cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
        self.csrf = session.cookies.get("csrftoken") or ""

    def post(self, path, body: bytes, content_type: str, *, kill_after=None, kill_delay=0.0, extra=None):
        """POST; with kill_after, SIGKILL the worker once that many body bytes are sent (and
        kill_delay seconds more: a random moment while the server is working on it)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.app.port, timeout=60)
        try:
            conn.putrequest("POST", path)
            headers = {
                "Content-Type": content_type,
                "Content-Length": str(len(body)),
                "Cookie": self.cookie,
                "X-CSRFToken": self.csrf,
                "Referer": self.app.url("/"),
                "Accept": "application/json",
                **(extra or {}),
            }
            for name, value in headers.items():
                conn.putheader(name, value)
            conn.endheaders()
            cut = len(body) if kill_after is None else kill_after
            conn.send(body[:cut])
            if kill_after is not None:
                time.sleep(kill_delay)  # not a wait for anything: a random moment to pull the plug
                self.app.kill_worker()
                conn.send(body[cut:])
            response = conn.getresponse()
            return response.status, response.read()
        except (ConnectionError, http.client.HTTPException, OSError):
            return None, b""
        finally:
            conn.close()

    def until_done(self, path, body, content_type, *, first_kill_after=None, kill_delay=0.0, extra=None):
        """Send; if the reply is lost or the server is busy, send the very same request again."""
        status, data = self.post(
            path, body, content_type, kill_after=first_kill_after, kill_delay=kill_delay, extra=extra
        )
        tries = 1
        while status not in (200, 201):
            assert status in (None, 503), (status, data[:300])
            status, data = self.post(path, body, content_type, extra=extra)
            tries += 1
            assert tries < 20
        return json.loads(data)


def test_sigkill_mid_upload_and_mid_save_loses_and_duplicates_nothing(tmp_path):
    app = AppProcess(tmp_path)
    app.prepare()
    ids = json.loads(
        app.shell(
            """
import json
from customers.models import Customer
from salons.models import Salon, StaffMember
salon = Salon.objects.get()
customer = Customer(salon=salon, name="強制 終了", kana="きょうせい しゅうりょう")
customer.refresh_search_fields()
customer.save()
print(json.dumps({"customer": customer.pk, "staff": StaffMember.objects.get().pk}))
"""
        )
    )
    app.start(preload=True)
    try:
        client = Client(app, app.login())
        photo = _big_jpeg()
        rng = random.Random(7)
        kills, saves = 0, []
        while kills < KILLS:
            # Mid-upload: the worker dies while the photo is still arriving (and spooling).
            fields: dict[str, Any] = {
                "upload_key": str(uuid.uuid4()),
                "kind": "photo",
                "file": ("p.jpg", photo, "image/jpeg"),
            }
            body, content_type = encode_multipart_formdata(fields)
            # Every other upload dies while its photo is processed and stored instead.
            processing = kills % 4 == 2
            asset = client.until_done(
                "/uploads/",
                body,
                content_type,
                first_kill_after=len(body) if processing else rng.randrange(len(body) // 4, len(body) - 1),
                kill_delay=rng.uniform(0, 0.6) if processing else 0.0,
            )
            kills += 1
            # Mid-save: the worker dies while the karte form is being sent or handled.
            key = str(uuid.uuid4())
            form = {
                "treatment_date": "2026-11-20",
                "staff": str(ids["staff"]),
                "menu": "カット",
                "client_key": key,
                "items-TOTAL_FORMS": "1",
                "items-INITIAL_FORMS": "0",
                "items-MIN_NUM_FORMS": "0",
                "items-MAX_NUM_FORMS": "1000",
                "items-0-kind": "photo",
                "items-0-image": asset["id"],
                "items-0-ORDER": "1",
            }
            save_body = "&".join(f"{k}={requests.utils.quote(v)}" for k, v in form.items()).encode()
            client.until_done(
                f"/customers/{ids['customer']}/kartes/new/",
                save_body,
                "application/x-www-form-urlencoded",
                first_kill_after=rng.randrange(1, len(save_body)),
                extra={"X-Karte-Save": "fetch"},
            )
            kills += 1
            saves.append(key)
    finally:
        app.stop_server()

    counts = json.loads(
        app.shell(
            """
import json
from kartes.models import ImageAsset, Karte
print(json.dumps({
    "kartes": Karte.objects.count(),
    "keys": Karte.objects.values("client_key").distinct().count(),
    "images": ImageAsset.objects.count(),
    "unused": ImageAsset.objects.filter(item__isnull=True).count(),
}))
"""
        )
    )
    # What the task worker does for the photos that were uploaded (none runs beside this server).
    app.shell(
        "from kartes.models import ImageAsset\nfrom kartes.services import image_asset_make_copies\n"
        "for pk in ImageAsset.objects.filter(status='processing').values_list('pk', flat=True):\n"
        "    image_asset_make_copies(asset_id=pk)"
    )
    left_in_spool = len(os.listdir(app.spool))
    purge = app.manage("purge_unused_uploads", "--older-than-hours=0", "--spool-older-than-minutes=0")
    verify = app.manage("verify_media")  # fails on any missing, truncated or orphan file
    app.stop()
    print(f"{kills} kills; {left_in_spool} spool files left before the purge; {purge.strip()}")

    assert counts == {"kartes": len(saves), "keys": len(saves), "images": len(saves), "unused": 0}
    assert "All files are present and intact." in verify
    assert os.listdir(app.spool) == []
