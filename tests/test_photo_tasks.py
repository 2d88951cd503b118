"""Photos are stored at once and their display copies made by the background task.

The queue itself is held here (the requests a view makes are collected instead of sent), so
each test can look at the moment between upload and copies; the task code that then runs is
the real one, called as the worker calls it. tests/test_task_worker.py runs a separate worker.
"""

import datetime
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from common.media import stored_names
from common.tasks import RETRIES
from kartes import tasks
from kartes.models import ImageAsset, ImageStatus, KarteItem

from .factories import image_bytes, make_karte
from .linking_helpers import linked_phone

# Photos go to a folder of each test's own, so that checking storage sees only that test's files.
pytestmark = pytest.mark.usefixtures("own_storage")


def run(queue):
    queue.run()


def upload(client, data, kind="photo"):
    return client.post(
        reverse("staff:image_upload"),
        {
            "upload_key": str(uuid.uuid4()),
            "kind": kind,
            "file": SimpleUploadedFile("p.jpg", data, "image/jpeg"),
        },
    )


def display_files():
    return sorted(name for name in stored_names() if name.startswith("display/"))


def test_an_upload_answers_before_the_copies_exist_and_the_task_makes_them(salon_a, held_queue):
    response = upload(salon_a.client(), image_bytes(size=(3000, 2000)))
    assert response.status_code == 201
    state = response.json()
    assert state["status"] == "processing"
    assert (state["width"], state["height"]) == (1600, 1067)  # known from the header already
    assert salon_a.client().get(state["small"]).status_code == 404  # no copy yet: the editor shows 処理中
    assert len(held_queue) == 1
    run(held_queue)
    status = salon_a.client().get(state["status_url"]).json()
    assert status["status"] == "ready"
    assert salon_a.client().get(state["small"]).status_code == 200
    with scope(salon=salon_a.salon):
        asset = ImageAsset.objects.get(pk=state["id"])
        assert asset.large_sha256 and asset.small_size
    call_command("verify_media")  # every checksum matches, nothing is missing


def test_an_illustration_is_ready_in_the_same_request(salon_a, held_queue):
    out = io.BytesIO()
    from PIL import Image

    Image.new("RGBA", (600, 400), (255, 255, 255, 0)).save(out, format="PNG")
    state = upload(salon_a.client(), out.getvalue(), kind="illustration").json()
    assert state["status"] == "ready" and not held_queue


def test_the_phone_never_sees_a_photo_whose_copies_are_not_ready(salon_a, held_queue):
    karte = make_karte(salon_a, public_photo=True, public_text=True)
    run(held_queue)
    phone = linked_phone(salon_a)
    with scope(salon=salon_a.salon):
        item = KarteItem.objects.get(karte=karte, kind="photo")
    slug = salon_a.salon.slug
    image_url = reverse("customer_app:image", kwargs={"slug": slug, "pk": item.image_id, "size": "small"})
    page_url = reverse("customer_app:karte", kwargs={"slug": slug, "pk": karte.pk})
    assert phone.get(image_url).status_code == 200
    with scopes_disabled():
        ImageAsset.objects.filter(pk=str(item.image_id)).update(status=ImageStatus.PROCESSING)
    assert phone.get(image_url).status_code == 404
    page = phone.get(page_url).content.decode()
    assert str(item.image_id) not in page and "カットとカラー" in page
    visible = phone.get(reverse("customer_app:visible", kwargs={"slug": slug})).json()["urls"]
    assert not any(str(item.image_id) in url for url in visible)
    preview = salon_a.client().get(reverse("staff:customer_preview_phone", args=[salon_a.customer.pk]))
    assert str(item.image_id) not in preview.content.decode()


def test_a_task_that_runs_again_after_a_crash_leaves_one_set_of_files(salon_a, held_queue):
    state = upload(salon_a.client(), image_bytes(size=(2000, 1500))).json()
    (task, args) = held_queue[0]
    task.call_local(*args)  # the first run wrote its copies…
    held_queue.clear()
    with scopes_disabled():
        # …and "crashed" before it could say so: the row still says processing.
        ImageAsset.objects.filter(pk=state["id"]).update(status=ImageStatus.PROCESSING)
    before = display_files()
    task.call_local(*args)  # the run asked for again
    task.call_local(*args)  # and a duplicate of it
    assert display_files() == before and len(before) == 4
    with scopes_disabled():
        assert ImageAsset.objects.get(pk=state["id"]).status == ImageStatus.READY
    call_command("verify_media")


def test_a_damaged_photo_is_marked_with_the_reason_and_no_pointless_retry(salon_a, held_queue):
    data = image_bytes(size=(1200, 900))
    state = upload(salon_a.client(), data[: len(data) // 2]).json()  # the header is fine, the rest is not
    assert state["status"] == "processing"
    run(held_queue)
    status = salon_a.client().get(state["status_url"]).json()
    assert status["status"] == "failed"
    assert "壊れている" in status["error"]
    assert "retry_url" not in status  # a damaged file stays damaged: take the photo again


def test_a_lost_task_is_asked_for_again_and_gives_up_with_a_retry(salon_a, held_queue):
    state = upload(salon_a.client(), image_bytes()).json()
    held_queue.clear()  # the worker that had it was killed
    tasks.images_requeue_stalled.call_local()
    assert not held_queue  # not stalled yet: it may still be running
    with scopes_disabled():
        ImageAsset.objects.filter(pk=state["id"]).update(
            queued_at=timezone.now() - datetime.timedelta(minutes=3)
        )
    tasks.images_requeue_stalled.call_local()
    assert len(held_queue) == 1
    held_queue.clear()
    with scopes_disabled():
        ImageAsset.objects.filter(pk=state["id"]).update(
            queued_at=timezone.now() - datetime.timedelta(minutes=3), attempts=tasks.MAX_ATTEMPTS
        )
    tasks.images_requeue_stalled.call_local()
    status = salon_a.client().get(state["status_url"]).json()
    assert status["status"] == "failed" and "もう一度" in status["error"]
    retried = salon_a.client().post(status["retry_url"]).json()
    assert retried["status"] == "processing"
    run(held_queue)
    assert salon_a.client().get(state["status_url"]).json()["status"] == "ready"


def test_a_task_runs_in_its_salons_scope_only(salon_a, salon_b, held_queue):
    state = upload(salon_a.client(), image_bytes()).json()
    task, _args = held_queue.pop()
    task.call_local(salon_b.salon.pk, state["id"])  # salon B's scope cannot see salon A's photo
    with scopes_disabled():
        assert ImageAsset.objects.get(pk=state["id"]).status == ImageStatus.PROCESSING
    task.call_local(salon_a.salon.pk, state["id"])
    with scopes_disabled():
        assert ImageAsset.objects.get(pk=state["id"]).status == ImageStatus.READY
    assert task.call_local(999_999, state["id"]) is None  # a deleted salon's work is dropped


def test_status_and_retry_belong_to_the_salons_staff(salon_a, salon_b, client, held_queue):
    state = upload(salon_a.client(), image_bytes()).json()
    assert salon_b.client().get(state["status_url"]).status_code == 404
    assert client.get(state["status_url"]).status_code == 302
    retry = reverse("staff:image_retry", kwargs={"pk": state["id"]})
    assert salon_b.client().post(retry).status_code == 404


def test_the_history_shows_processing_until_the_copies_exist(salon_a, held_queue):
    karte = make_karte(salon_a)
    run(held_queue)
    with scopes_disabled():
        item = KarteItem.objects.get(karte=karte, kind="photo")
        ImageAsset.objects.filter(pk=str(item.image_id)).update(status=ImageStatus.PROCESSING)
    page = salon_a.client().get(reverse("staff:customer_detail", args=[salon_a.customer.pk])).content.decode()
    assert "処理中" in page and "data-image-pending" in page


def test_a_task_that_fails_is_retried_later_and_later(salon_a, monkeypatch, own_storage):
    """Retries with backoff, as Huey schedules them: 5 s, then 10 s, then 20 s …"""
    from huey.contrib.djhuey import HUEY

    calls = []

    def storage_away(*, asset_id):
        calls.append(asset_id)
        raise OSError("the photo storage cannot be reached")

    monkeypatch.setattr(tasks, "image_asset_make_copies", storage_away)
    HUEY.storage.flush_schedule()

    def now():
        return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)  # the queue keeps naive UTC

    failed_at = now()
    tasks.image_make_copies(salon_a.salon.pk, "00000000-0000-0000-0000-000000000001")
    delays = []
    for _ in range(3):
        (retry,) = HUEY.scheduled()
        HUEY.storage.flush_schedule()
        delays.append((retry.eta - failed_at).total_seconds())
        failed_at = now()
        HUEY.execute(retry, timestamp=retry.eta)  # its time has come (and it fails again)
    assert len(calls) == 4
    assert [round(delay) for delay in delays] == [5, 10, 20]
    assert HUEY.scheduled()[0].retries == RETRIES - 4


def test_the_scheduled_jobs_are_on_the_queue():
    from huey.contrib.djhuey import HUEY

    import operations.tasks  # noqa: F401  (the worker finds every app's tasks.py; here we load it)

    periodic = {task.name: task for task in HUEY._registry.periodic_tasks}
    assert set(periodic) >= {"images_requeue_stalled", "uploads_purge_unused"}
    utc = datetime.UTC
    sweep = periodic["images_requeue_stalled"]
    assert sweep.validate_datetime(datetime.datetime(2026, 11, 27, 10, 41, tzinfo=utc).replace(tzinfo=None))
    purge = periodic["uploads_purge_unused"]
    # 04:17 in Japan is 19:17 UTC the day before; at no other minute of the day.
    assert purge.validate_datetime(datetime.datetime(2026, 11, 27, 19, 17))
    assert not purge.validate_datetime(datetime.datetime(2026, 11, 27, 4, 17))
