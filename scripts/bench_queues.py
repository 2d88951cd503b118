"""Fair queues: one salon's photo, upload → copies ready, while another salon broadcasts and exports.

A real server (gunicorn, 2 sync workers) and one `run_huey` worker (2 threads, at a lower CPU
priority, as deploy/systemd runs it) on a Redis queue of this run's own, on this run's database
kind. The big salon has PHONES customers, each with a karte and a phone subscribed to push (a
push service of this run's own on 127.0.0.1, checking every VAPID signature and decrypting every
payload at the lowest CPU priority, as it stands in for services elsewhere); the small salon's
staff upload photos one after the other and ask for each one's state every 0.1 s, as the editor
does. Measured idle, then for as long as the big salon's notice to every phone and its three
exports (customers, kartes, everything as a ZIP), asked for at once, are being worked on. The
ratio is the p50 during ÷ the p50 idle, in the same run: target ≤ 1.5.

    python scripts/bench_queues.py [phones]        (default 20000)
"""

import base64
import io
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_push import serve  # noqa: E402  (the push service of bench_push, in a process of its own)

from tests.app_process import AppProcess, wait_for  # noqa: E402
from tests.redis_process import RedisProcess  # noqa: E402

PHOTOS = 8
# Photos at most during the load (about 0.6 s each), so that a stuck load cannot run for ever.
MAX_DURING = 600
TARGET = 1.5

BIG_SALON = """
import datetime
from django_scopes import scope
from customers.models import Customer
from kartes.models import Karte
from linking.models import Device
from push.models import PushSubscription
from salons.models import Salon, StaffMember
salon = Salon.objects.get(slug="big")
staff = StaffMember.objects.get(salon=salon)
# A time zone where it is midday now, so that no push waits for the end of the quiet hours.
import zoneinfo
from django.utils import timezone
salon.timezone = next(
    name for name in (f"Etc/GMT{{offset:+d}}" for offset in range(-12, 13))
    if 11 <= timezone.now().astimezone(zoneinfo.ZoneInfo(name)).hour <= 14)
salon.save(update_fields=["timezone"])
with scope(salon=salon):
    customers = Customer.objects.bulk_create(
        [Customer(salon=salon, number=i + 1, name=f"客 {{i}}", kana="きゃく", kana_sort="きゃく")
         for i in range({phones})], batch_size=5000)
    Karte.objects.bulk_create(
        [Karte(salon=salon, customer=c, staff=staff, treatment_date=datetime.date(2026, 11, 1), menu="カット")
         for c in customers], batch_size=5000)
    Device.objects.bulk_create(
        [Device(salon=salon, customer=c, credential_hash=f"{{i:064d}}", label="Phone")
         for i, c in enumerate(customers)], batch_size=5000)
    PushSubscription.objects.bulk_create(
        [PushSubscription(salon=salon, device_id=d, endpoint=f"{origin}/push/{{d}}", p256dh="{p256dh}",
                          auth="{auth}")
         for d in Device.objects.values_list("pk", flat=True)], batch_size=5000)
"""

LOAD = """
from django.utils import timezone
from django_scopes import scope
from notices.services import notice_create
from salons.models import Salon, StaffMember
from transfer.exports import export_request
salon = Salon.objects.get(slug="big")
owner = StaffMember.objects.get(salon=salon)
now = timezone.now()
with scope(salon=salon):
    notice = notice_create(salon=salon, actor=owner.user, title="年末年始の営業", body="…",
                           starts_at=now, ends_at=now + timezone.timedelta(days=7))
    for kind in ("customers", "kartes", "archive"):
        export_request(salon=salon, actor=owner.user, kind=kind, encoding="utf-8")
"""

PROGRESS = """
from django_scopes import scopes_disabled
from push.models import PushDelivery
from transfer.models import ExportJob
with scopes_disabled():
    print(PushDelivery.objects.filter(status="sent").count(), PushDelivery.objects.count(),
          ExportJob.objects.filter(status="ready").count())
"""


def photo(seed: int) -> bytes:
    out = io.BytesIO()
    Image.effect_noise((2400, 1800), 30 + seed).convert("RGB").save(out, format="JPEG", quality=90)
    return out.getvalue()


def upload_to_ready(app: AppProcess, staff: requests.Session, data: bytes) -> float:
    started = time.perf_counter()
    response = staff.post(
        app.url("/uploads/"),
        data={"upload_key": str(uuid.uuid4()), "kind": "photo"},
        files={"file": ("photo.jpg", data, "image/jpeg")},
        headers={"Accept": "application/json"},
        timeout=120,
    )
    assert response.status_code == 201, response.text[:200]
    state = response.json()
    deadline = time.monotonic() + 300
    while state["status"] != "ready" and time.monotonic() < deadline:
        time.sleep(0.1)  # the editor's own polling, not a wait for anything in particular
        state = staff.get(app.url(state["status_url"]), timeout=30).json()
    assert state["status"] == "ready", "the copies were not made in 5 minutes"
    return time.perf_counter() - started


def main(phones: int = 20_000) -> list[str]:
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    from push.keys import vapid_pair_new
    from tests.push_service import Browser

    public, private = vapid_pair_new()
    phone = Browser()
    auth = base64.urlsafe_b64encode(phone.auth).rstrip(b"=").decode()
    ready: multiprocessing.Queue = multiprocessing.Queue()
    commands: multiprocessing.Queue = multiprocessing.Queue()
    der = phone.private_key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    service = multiprocessing.Process(
        target=serve, args=(public, der, phone.auth, ready, commands), daemon=True
    )
    service.start()
    # The push service stands in for Apple's and Google's, which run elsewhere: it checks and
    # decrypts every push at the lowest CPU priority, so that it takes no CPU Karte would have.
    assert service.pid is not None
    os.setpriority(os.PRIO_PROCESS, service.pid, 19)
    origin = ready.get(timeout=30)

    base = Path(tempfile.mkdtemp(prefix="karte-bench-queues-"))
    redis_server = RedisProcess()
    redis_server.start()
    app = AppProcess(
        base,
        extra_env={
            "KARTE_TASKS_IMMEDIATE": "0",
            "KARTE_TASKS_REDIS_URL": redis_server.url,
            "REDIS_URL": redis_server.url,
            "DB_CONN_MAX_AGE": "60",
            "VAPID_PUBLIC_KEY": public,
            "VAPID_PRIVATE_KEY": private,
            "PUSH_SERVICE_HOSTS": "127.0.0.1",
            "PUSH_INSECURE_HOSTS": "127.0.0.1",
        },
    )
    try:
        app.prepare()
        app.manage(
            "create_salon", "--name=Big Salon", "--slug=big", "--owner=big-owner", "--owner-name=Owner",
            "--password=big-owner-pw-123", "--customer-app",
        )  # fmt: skip
        app.shell(BIG_SALON.format(phones=phones, origin=origin, p256dh=phone.p256dh, auth=auth))
        app.start(workers=2)
        app.start_task_worker(threads=2, nice=10, VIPS_CONCURRENCY="1")
        staff = app.login()
        photos = [photo(i) for i in range(PHOTOS + 1)]
        upload_to_ready(app, staff, photos[-1])  # warm up
        idle = [upload_to_ready(app, staff, data) for data in photos[:PHOTOS]]

        app.shell(LOAD)
        started = time.perf_counter()
        done = threading.Event()

        def finished() -> bool:
            sent, planned, exports = (int(n) for n in app.shell(PROGRESS).split())
            return planned == phones and sent == planned and exports == 3

        def watch() -> None:
            wait_for(finished, timeout=900, what="the broadcast and the exports")
            done.set()

        watcher = threading.Thread(target=watch)
        watcher.start()
        # The other salon's staff go on uploading, one photo after another, until the load is over.
        during: list[float] = []
        while not done.is_set() and len(during) < MAX_DURING:
            during.append(upload_to_ready(app, staff, photos[len(during) % PHOTOS]))
        watcher.join()
        load_s = time.perf_counter() - started
    finally:
        app.stop()
        redis_server.stop()
        commands.put("stop")
        service.join(timeout=10)

    ratio = statistics.median(during) / statistics.median(idle)
    return [
        "",
        "## Fair queues: another salon's photo while one salon broadcasts and exports",
        "",
        f"One worker (2 threads, nice 10) on Redis; the big salon has {phones:,} customers, kartes and",
        "phones subscribed to push. Upload → copies ready of a 2400×1800 JPEG of the other salon, one",
        f"photo at a time: {PHOTOS} idle, then for as long as the big salon's notice to every phone and its",
        f"three exports (customers, kartes, everything as a ZIP) are being worked on ({load_s:.0f} s,",
        f"{len(during)} photos). scripts/bench_queues.py.",
        "",
        "| Photo of the other salon | photos | p50 s | max s |",
        "| --- | ---: | ---: | ---: |",
        f"| idle | {len(idle)} | {statistics.median(idle):.2f} | {max(idle):.2f} |",
        f"| during the broadcast and the exports | {len(during)} | {statistics.median(during):.2f} | "
        f"{max(during):.2f} |",
        "",
        f"During ÷ idle: **{ratio:.2f}** (target ≤ {TARGET}: {'met' if ratio <= TARGET else 'not met'}).",
    ]


if __name__ == "__main__":
    os.chdir(ROOT)
    print("\n".join(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)))
