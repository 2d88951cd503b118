"""Fair queues: one salon's exports do not hold up another salon's photo copies.

A real worker (`manage.py run_huey`, two threads) on a Redis queue of the test's own, beside a
real server. The first export of a salon is held in the middle of its work (the fault point
export-file-built: it never ends while the test runs), as a long export of a large salon would
be. Bulk work never takes a worker's last thread and a salon runs one bulk task at a time
(common.tasks.bulk_slot), so the other salon's photo is still made, and the salon's further
exports wait their turn instead of filling the worker.
"""

import json

import pytest
from huey.exceptions import RetryTask

from common.tasks import (
    BULK,
    INTERACTIVE,
    MESSAGES,
    background_threads,
    bulk_slot,
    bulk_threads,
    message_slot,
)
from kartes.tasks import image_make_copies
from push.tasks import pushes_send_batch, pushes_tick
from transfer.tasks import export_make

from .app_process import AppProcess, wait_for
from .redis_process import RedisProcess
from .test_task_worker import status, upload

EXPORTS = """
from django_scopes import scope
from salons.models import Salon, StaffMember
from transfer.exports import export_request
salon = Salon.objects.get(slug="{slug}")
owner = StaffMember.objects.filter(salon=salon).first()
with scope(salon=salon):
    for _ in range({count}):
        export_request(salon=salon, actor=owner.user, kind="customers", encoding="utf-8")
"""
STATES = """
import json
from transfer.models import ExportJob
rows = ExportJob.objects.order_by("pk").values_list("salon__slug", "status")
print(json.dumps([list(row) for row in rows]))
"""


def test_the_queue_hands_out_photos_before_messages_before_bulk_work():
    assert image_make_copies.s(1, "x").priority == INTERACTIVE
    assert pushes_tick.s().priority == MESSAGES
    assert pushes_send_batch.s().priority == MESSAGES
    assert export_make.s(1, 1).priority == BULK
    assert INTERACTIVE > MESSAGES > BULK > 0


@pytest.fixture
def threads(settings, monkeypatch):
    """A worker process of N threads, out of immediate mode, with fresh thread counts."""
    from huey.contrib.djhuey import HUEY

    import common.tasks

    monkeypatch.setattr(HUEY, "immediate", False)
    monkeypatch.setattr(common.tasks, "_semaphores", {})

    def of(count: int) -> None:
        settings.HUEY = {**settings.HUEY, "consumer": {**settings.HUEY["consumer"], "workers": count}}
        common.tasks._semaphores.clear()

    return of


def test_with_two_threads_one_is_kept_for_photos_and_bulk_work_and_pushes_take_turns(threads):
    threads(2)
    assert (background_threads(), bulk_threads()) == (1, 1)
    with bulk_slot(1):
        with pytest.raises(RetryTask), message_slot():
            pass
        with pytest.raises(RetryTask), bulk_slot(2):
            pass
    with message_slot(), pytest.raises(RetryTask), bulk_slot(2):
        pass


def test_with_three_threads_pushes_go_on_beside_an_export(threads):
    threads(3)
    assert (background_threads(), bulk_threads()) == (2, 1)
    # The third thread is kept for photos.
    with bulk_slot(1), message_slot(), pytest.raises(RetryTask), message_slot():
        pass


def test_a_salon_runs_one_bulk_task_at_a_time(threads):
    threads(4)
    with bulk_slot(1):
        with pytest.raises(RetryTask), bulk_slot(1):  # the same salon: its next task waits its turn
            pass
        with bulk_slot(2):  # another salon's runs
            pass
    with bulk_slot(1), bulk_slot(2):  # both given back
        pass


@pytest.fixture
def app(tmp_path):
    redis_server = RedisProcess()
    redis_server.start()
    server = AppProcess(
        tmp_path,
        extra_env={
            "KARTE_TASKS_IMMEDIATE": "0",
            "KARTE_TASKS_REDIS_URL": redis_server.url,
            "REDIS_URL": redis_server.url,  # the salons' bulk leases, shared by every worker
        },
    )
    server.prepare()
    server.manage(
        "create_salon", "--name=Second Salon", "--slug=second", "--owner=second-owner",
        "--owner-name=Owner", "--password=second-pw-123",
    )  # fmt: skip
    server.start()
    yield server
    server.stop()
    redis_server.stop()


def test_a_salon_held_in_its_export_does_not_hold_up_another_salons_photo(app, tmp_path):
    flag = tmp_path / "held"
    app.start_task_worker(threads=2, KARTE_FAULT_HOLD="export-file-built", KARTE_FAULT_FLAG=str(flag))
    app.shell(EXPORTS.format(slug="second", count=3))
    wait_for(flag.exists, timeout=60, what="the first export to be held mid-work")

    staff = app.login()
    state = upload(app, staff)
    wait_for(lambda: status(app, staff, state) == "ready", timeout=60, what="the other salon's photo")

    jobs = json.loads(app.shell(STATES))
    worker_log = (app.base / "worker.log").read_text(errors="replace")[-4000:]
    assert sorted(state for _, state in jobs) == ["queued", "queued", "running"], (jobs, worker_log)
