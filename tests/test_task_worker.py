"""The background worker as production runs it: `manage.py run_huey` in a process of its own,
next to a real server (gunicorn), on a Redis queue of the test's own or on the SQLite file queue
that `make run` uses. A worker SIGKILLed in the middle of a photo leaves no duplicate behind."""

import io
import uuid

import pytest
import requests
from PIL import Image

from .app_process import AppProcess, wait_for
from .redis_process import RedisProcess

pytestmark = pytest.mark.process


def camera_jpeg() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((3000, 2000), 40).convert("RGB").save(out, format="JPEG", quality=90)
    return out.getvalue()


@pytest.fixture(params=["redis", "sqlite-file"])
def app(request, tmp_path):
    redis_server: RedisProcess | None = None
    if request.param == "redis":
        redis_server = RedisProcess()
        redis_server.start()
        queue = {"KARTE_TASKS_REDIS_URL": redis_server.url}
    else:
        queue = {"KARTE_TASKS_FILE": str(tmp_path / "tasks.sqlite3")}
    server = AppProcess(tmp_path, extra_env={"KARTE_TASKS_IMMEDIATE": "0", **queue})
    server.prepare()
    server.start()
    server.redis = redis_server
    yield server
    server.stop()
    if server.redis is not None:
        server.redis.stop()


def upload(app: AppProcess, session: requests.Session) -> dict:
    response = session.post(
        app.url("/uploads/"),
        data={"upload_key": str(uuid.uuid4()), "kind": "photo"},
        files={"file": ("photo.jpg", camera_jpeg(), "image/jpeg")},
        headers={"Accept": "application/json"},
        timeout=30,
    )
    assert response.status_code == 201, response.text[:300]
    return response.json()


def status(app: AppProcess, session: requests.Session, state: dict) -> str:
    return session.get(app.url(state["status_url"]), timeout=10).json()["status"]


def sweep_now(app: AppProcess) -> None:
    """What the periodic sweep (every minute) does once the photo is stalled, run at once."""
    app.shell(
        "import datetime\n"
        "from django.utils import timezone\n"
        "from kartes.models import ImageAsset\n"
        "from kartes.tasks import images_requeue_stalled\n"
        "ImageAsset.objects.update(queued_at=timezone.now() - datetime.timedelta(minutes=5))\n"
        "images_requeue_stalled.call_local()"
    )


def display_files(app: AppProcess) -> list[str]:
    return sorted(str(p.relative_to(app.media)) for p in (app.media / "display").rglob("*") if p.is_file())


def test_the_worker_makes_the_copies_the_upload_did_not_wait_for(app):
    session = app.login()
    state = upload(app, session)
    assert state["status"] == "processing"
    assert session.get(app.url(state["small"]), timeout=10).status_code == 404
    app.start_task_worker()
    wait_for(lambda: status(app, session, state) == "ready", timeout=60, what="the copies")
    small = session.get(app.url(state["small"]), timeout=10)
    assert small.status_code == 200 and small.headers["Content-Type"] == "image/webp"
    app.manage("verify_media")


def test_a_worker_killed_mid_photo_leaves_it_to_run_again_with_no_duplicate(app, tmp_path):
    session = app.login()
    flag = tmp_path / "worker-at-fault-point"
    doomed = app.start_task_worker(KARTE_FAULT_HOLD="image-copies-written", KARTE_FAULT_FLAG=str(flag))
    state = upload(app, session)
    wait_for(flag.exists, timeout=60, what="the worker to write the copies")
    app.kill_task_worker(doomed)  # SIGKILL after the files, before the row says so
    assert status(app, session, state) == "processing"
    written = display_files(app)
    assert len(written) == 4
    app.start_task_worker()
    # The lost task is found by the periodic sweep (every minute); here it is run at once.
    sweep_now(app)
    wait_for(lambda: status(app, session, state) == "ready", timeout=60, what="the copies made again")
    assert display_files(app) == written  # the same four files, written again, and nothing more
    app.manage("verify_media")


def test_an_upload_while_the_queue_is_down_is_kept_and_made_later(app):
    if app.redis is None:
        pytest.skip("the file queue has no server to lose")
    session = app.login()
    app.redis.stop()
    state = upload(app, session)  # the queue cannot be reached: the photo is stored all the same
    assert state["status"] == "processing"
    app.redis = RedisProcess(port=app.redis.port)
    app.redis.start()
    app.start_task_worker()
    sweep_now(app)
    wait_for(lambda: status(app, session, state) == "ready", timeout=60, what="the copies made later")


def _export_status(app: AppProcess) -> str:
    return app.shell(
        "from django_scopes import scopes_disabled\nfrom transfer.models import ExportJob\n"
        "with scopes_disabled():\n    print(ExportJob.objects.get().status)"
    ).strip()


def test_a_worker_killed_during_an_export_leaves_no_temporary_file_and_the_export_is_made(app, tmp_path):
    session = app.login()
    flag = tmp_path / "worker-at-fault-point"
    doomed = app.start_task_worker(KARTE_FAULT_HOLD="export-file-built", KARTE_FAULT_FLAG=str(flag))
    response = session.post(
        app.url("/salon/data/exports/new/"), data={"kind": "archive", "encoding": "utf-8-sig"}, timeout=10
    )
    assert response.status_code in (200, 302)
    wait_for(flag.exists, timeout=60, what="the worker to build the export")
    app.kill_task_worker(doomed)  # SIGKILL with the file built, before it is stored: no `finally` runs
    left = list(app.spool.glob("karte-export-*"))
    assert len(left) == 1 and _export_status(app) == "running"
    app.start_task_worker()
    # The periodic sweep (every minute) finds the stalled export; here it is run at once.
    app.shell(
        "import datetime\nfrom django.utils import timezone\nfrom django_scopes import scopes_disabled\n"
        "from transfer.models import ExportJob\nfrom transfer.tasks import exports_requeue_stalled\n"
        "with scopes_disabled():\n"
        "    ExportJob.objects.update(heartbeat_at=timezone.now() - datetime.timedelta(minutes=30))\n"
        "exports_requeue_stalled.call_local()"
    )
    wait_for(lambda: _export_status(app) == "ready", timeout=60, what="the export made again")
    # The spool purge removes what the killed worker left; the export that succeeded left nothing.
    out = app.manage("purge_unused_uploads", "--spool-older-than-minutes=0")
    assert "Deleted 1 stale upload spool file(s)." in out
    assert list(app.spool.glob("karte-export-*")) == []
