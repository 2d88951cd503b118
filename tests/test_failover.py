"""Losing the primary database: the synchronous standby takes over and no acknowledged save is lost.

deploy/postgres-pair starts a primary and a standby it commits to synchronously, each behind a
PgBouncer in transaction mode; the app (gunicorn, two workers, persistent connections) reaches
both bouncers with one multi-host address (target_session_attrs=read-write). Staff upload photos
and save kartes in a loop, resending what was not acknowledged with the same keys, as the
tablet's upload queue and editor do. The primary's postmaster is killed with SIGKILL, and once
the app has answered 503 a few times the standby is promoted as an operator would
(deploy/postgres-pair promote). Nothing is mocked: real PostgreSQL, PgBouncer and gunicorn.
"""

import io
import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
import requests
from PIL import Image
from urllib3 import encode_multipart_formdata

from .app_process import AppProcess
from .postgres_pair import PostgresPair, missing

pytestmark = [
    pytest.mark.process,
    pytest.mark.skipif(bool(missing()), reason=missing() or "-"),
    # One run is enough: the pair is the test's own, whatever the suite's database.
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="runs with the PostgreSQL suite"
    ),
]

SETUP = """
import json
from customers.models import Customer
from linking.services import link_code_issue
from salons.models import Salon, StaffMember
salon = Salon.objects.get()
customer = Customer(salon=salon, name="切替 花子", kana="きりかえ はなこ")
customer.refresh_search_fields()
customer.save()
staff = StaffMember.objects.get()
issued = link_code_issue(salon=salon, customer=customer, issued_by=staff)
print(json.dumps({"customer": customer.pk, "staff": staff.pk, "code": issued.code}))
"""
SAVES_BEFORE, SAVES = 6, 16
# 503s seen before the operator promotes the standby: the gap is shown to be answered properly.
GAP_ANSWERS = 3


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (120, 80, 60)).save(out, format="JPEG", quality=85)
    return out.getvalue()


class Failover:
    """The loop's clock: kills the primary, promotes the standby, and times the gap."""

    def __init__(self, pair: PostgresPair):
        self.pair = pair
        self.killed_at: float | None = None
        self.first_503: float | None = None
        self.promoted_at: float | None = None
        self.back_at: float | None = None
        self.unavailable = 0

    def kill(self) -> None:
        self.pair.kill_primary()
        self.killed_at = time.monotonic()

    def answered(self, response: requests.Response | None) -> bool:
        """Whether it was acknowledged; a 503 during the gap must say when to come back."""
        assert response is not None, "the app must answer during the gap, not drop the connection"
        if response.status_code in (200, 201):
            if self.promoted_at is not None and self.back_at is None:
                self.back_at = time.monotonic()
            return True
        assert response.status_code == 503, (response.status_code, response.text[:300])
        assert self.killed_at is not None, "a 503 before the primary was lost"
        assert int(response.headers["Retry-After"]) > 0
        assert response.json()["reason"] == "database"
        self.unavailable += 1
        self.first_503 = self.first_503 or time.monotonic()
        if self.promoted_at is None and self.unavailable >= GAP_ANSWERS:
            self.pair.promote()
            self.promoted_at = time.monotonic()
        return False


@pytest.fixture
def pair():
    pair = PostgresPair().start()
    yield pair
    pair.stop()


@contextmanager
def _running(pair: PostgresPair, base, *, workers: int) -> Iterator[SimpleNamespace]:
    """The app on the pair as deploy/postgres-pair's env file says, with a customer to work on,
    staff logged in and the customer's phone linked."""
    app = AppProcess(
        base,
        database_url=pair.env["DATABASE_URL"],
        extra_env={
            "DB_POOLED": "1",
            "DATABASE_REPLICA_URL": pair.env["DATABASE_REPLICA_URL"],
            "DB_CONN_MAX_AGE": "60",  # kept connections, as in production
        },
    )
    app.prepare()
    ids = json.loads(app.shell(SETUP))
    app.start(preload=True, workers=workers)
    try:
        staff = app.login()
        staff.headers["Accept"] = "application/json"
        yield SimpleNamespace(app=app, ids=ids, staff=staff, phone=_linked_phone(app, ids["code"]))
    finally:
        app.stop()


def _linked_phone(app: AppProcess, code: str) -> requests.Session:
    phone = requests.Session()
    phone.cookies.set("csrftoken", "p" * 32, domain="127.0.0.1", path="/")
    linked = phone.post(
        app.url("/s/process/app/link/"),
        data={"code": code, "csrfmiddlewaretoken": "p" * 32},
        headers={"Referer": app.url("/s/process/app/")},
        timeout=10,
        allow_redirects=False,
    )
    assert linked.status_code == 302, linked.text[:300]
    return phone


def _karte_form(ids: dict, key: str, image: str, menu: str = "カット") -> dict[str, str]:
    return {
        "treatment_date": "2026-12-01",
        "staff": str(ids["staff"]),
        "menu": menu,
        "client_key": key,
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-kind": "photo",
        "items-0-image": image,
        "items-0-is_public": "on",
        "items-0-ORDER": "1",
    }


def _upload(photo: bytes) -> dict:
    body, content_type = encode_multipart_formdata(
        {"upload_key": str(uuid.uuid4()), "kind": "photo", "file": ("p.jpg", photo, "image/jpeg")}
    )
    return {"data": body, "headers": {"Content-Type": content_type}}


def test_the_primary_killed_mid_work_loses_no_acknowledged_save(pair, tmp_path):
    with _running(pair, tmp_path / "app", workers=2) as running:
        app, ids, staff, phone = running.app, running.ids, running.staff, running.phone
        workers = sorted(app.worker_pids())

        clock = Failover(pair)
        photo = _jpeg()
        uploads: list[str] = []
        saves: list[str] = []

        def until_acknowledged(path: str, **kwargs) -> dict:
            for _ in range(200):
                try:
                    response = staff.post(app.url(path), timeout=30, **kwargs)
                except requests.RequestException:
                    response = None
                if clock.answered(response):
                    assert response is not None
                    return response.json()
            raise AssertionError(f"{path} was never acknowledged")

        while len(saves) < SAVES:
            if len(saves) == SAVES_BEFORE and clock.killed_at is None:
                clock.kill()
            asset = until_acknowledged("/uploads/", **_upload(photo))
            uploads.append(asset["id"])
            key = str(uuid.uuid4())
            until_acknowledged(
                f"/customers/{ids['customer']}/kartes/new/",
                data=_karte_form(ids, key, asset["id"]),
                headers={"X-Karte-Save": "fetch"},
            )
            saves.append(key)

        # The phone sees every karte and photo, from the new primary, without a restart.
        visible = phone.get(app.url("/s/process/app/visible.json"), timeout=10)
        assert visible.status_code == 200
        urls = visible.json()["urls"]
        assert sorted(app.worker_pids()) == workers, "the app servers were not restarted"
        log = app.log.read_text()

    assert clock.promoted_at is not None and clock.back_at is not None and clock.first_503 is not None
    assert clock.killed_at is not None
    # What was acknowledged is on the new primary (the standby's own port), each exactly once.
    assert pair.query("standby", "SELECT pg_is_in_recovery()") == [(False,)]
    stored_keys = [str(key) for (key,) in pair.query("standby", "SELECT client_key FROM kartes_karte")]
    assert sorted(stored_keys) == sorted(saves)
    stored_images = [str(pk) for (pk,) in pair.query("standby", "SELECT id FROM kartes_imageasset")]
    assert sorted(stored_images) == sorted(uploads)
    assert len([url for url in urls if "/kartes/" in url]) == SAVES
    assert len([url for url in urls if "/images/" in url and url.endswith("/thumb/")]) == SAVES
    assert "Traceback" not in log
    print(
        f"\nfailover: {clock.unavailable} answers of 503; 503 for {clock.back_at - clock.first_503:.1f} s "
        f"(primary killed → first save after: {clock.back_at - clock.killed_at:.1f} s; promotion → "
        f"first save: {clock.back_at - clock.promoted_at:.2f} s); {len(saves)} saves and "
        f"{len(uploads)} uploads acknowledged, 0 lost, 0 doubled"
    )


EXPORT = """
from salons.models import Salon
from transfer.exports import export_build
from transfer.models import ExportJob, ExportKind
from common.replica import heavy_reads
job = ExportJob.objects.create(salon=Salon.objects.get(), kind=ExportKind.KARTES, encoding="utf-8")
export_build(job=job)
print(heavy_reads())
print(job.file.open("rb").read().decode("utf-8-sig"))
"""


def test_with_the_standby_behind_people_read_the_primary_and_heavy_reads_wait_for_it(pair, tmp_path):
    with _running(pair, tmp_path / "app", workers=1) as running:
        app, ids, staff, phone = running.app, running.ids, running.staff, running.phone
        asset = staff.post(app.url("/uploads/"), timeout=30, **_upload(_jpeg())).json()
        saved = staff.post(
            app.url(f"/customers/{ids['customer']}/kartes/new/"),
            data=_karte_form(ids, str(uuid.uuid4()), asset["id"]),
            headers={"X-Karte-Save": "fetch"},
            timeout=30,
        )
        assert saved.status_code == 200, saved.text[:300]
        photos = [url for url in phone.get(app.url("/s/process/app/visible.json"), timeout=10).json()["urls"]
                  if "/images/" in url]  # fmt: skip
        assert len(photos) == 4  # the four sizes of the public photo
        (item,) = pair.query("primary", "SELECT id FROM kartes_karteitem")

        # The standby stops replaying: from now on it is behind, however long it takes.
        pair.query("standby", "SELECT pg_wal_replay_pause()")
        hidden = staff.post(app.url(f"/items/{item[0]}/publish/"), data={"public": "0"}, timeout=10)
        assert hidden.status_code in (200, 302)
        later = staff.post(app.url("/uploads/"), timeout=30, **_upload(_jpeg())).json()
        colour = staff.post(
            app.url(f"/customers/{ids['customer']}/kartes/new/"),
            data=_karte_form(ids, str(uuid.uuid4()), later["id"], menu="カラー後"),
            headers={"X-Karte-Save": "fetch"},
            timeout=30,
        )
        assert colour.status_code == 200
        assert pair.query("standby", "SELECT is_public FROM kartes_karteitem WHERE id = %s", item[0]) == [
            (True,)
        ], "the standby is behind"

        # People read the primary: the unpublished photo is gone from the phone at once, and the
        # karte just saved is on the staff page.
        urls = phone.get(app.url("/s/process/app/visible.json"), timeout=10).json()["urls"]
        assert not [url for url in urls if f"/images/{asset['id']}/" in url]
        assert "カラー後" in staff.get(app.url(f"/customers/{ids['customer']}/"), timeout=10).text

        # Heavy reads: on the standby while it is within the allowed lag (an export of what it
        # has), on the primary once it is further behind than allowed.
        app.env["DB_REPLICA_MAX_LAG_SECONDS"] = "600"
        route, export = app.shell(EXPORT).split("\n", 1)
        assert route == "replica"
        assert "カット" in export and "カラー後" not in export
        app.env["DB_REPLICA_MAX_LAG_SECONDS"] = "0"
        route, export = app.shell(EXPORT).split("\n", 1)
        assert route == "default"
        assert "カラー後" in export
        # A backup never runs pg_dump through the pool: behind, it says so and waits.
        with pytest.raises(AssertionError, match="too far behind"):
            app.manage("backup", f"--output={tmp_path / 'behind'}")

        pair.query("standby", "SELECT pg_wal_replay_resume()")
        app.env["DB_REPLICA_MAX_LAG_SECONDS"] = "30"
        caught_up = app.shell(
            "import time\nfrom common.replica import replica_lag\n"
            "deadline = time.monotonic() + 30\n"
            "while replica_lag() != 0 and time.monotonic() < deadline:\n    time.sleep(0.05)\n"
            "print(replica_lag())"
        )
        assert float(caught_up) == 0
        backup = app.manage("backup", f"--output={tmp_path / 'caught-up'}")
        assert (tmp_path / "caught-up" / "database.dump").exists(), backup
