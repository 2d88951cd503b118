"""Phone pages while staff upload photos: p50 during a 10-photo upload ÷ p50 idle.

A real server (gunicorn, 2 sync workers) and, for the background mode, one `run_huey` worker
process, on this run's database kind (SQLite file, or PostgreSQL with DATABASE_URL). The phone
asks for its home page over and over; staff send ten 12-megapixel photos two at a time, as the
tablet does. Measured twice, side by side: with the worker making the copies (how Karte runs), and
with the copies made inside the upload request (how it ran before), for comparison.
"""

import io
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

from tests.app_process import AppProcess  # noqa: E402

PHOTOS = 10
IDLE_REQUESTS = 60


def camera_photo(seed: int) -> bytes:
    gradient = Image.linear_gradient("L").resize((4000, 3000))
    noise = Image.effect_noise((4000, 3000), 30 + seed)
    image = Image.merge("RGB", (gradient, noise, Image.eval(gradient, lambda v: 255 - v)))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


SETUP = """
import datetime
from django.core.files.base import ContentFile
from customers.models import Customer
from kartes.models import ItemKind
from kartes.services import ItemInput, karte_create
from linking.services import link_code_issue, link_code_redeem
from salons.models import Salon, StaffMember
salon = Salon.objects.get(slug="process")
owner = StaffMember.objects.get(salon=salon)
with scope(salon=salon):
    customer = Customer(salon=salon, name="山田 花子", kana="やまだ はなこ")
    customer.refresh_search_fields()
    customer.save()
    for day in range(20):
        karte_create(salon=salon, actor=owner.user, customer=customer,
            treatment_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=day), staff=owner,
            menu="カット", items=[ItemInput(kind=ItemKind.TEXT, text="メモ", is_public=True)])
    issued = link_code_issue(salon=salon, customer=customer, issued_by=owner)
    device, credential = link_code_redeem(salon=salon, code=issued.code)
    print(credential)
"""


def phone_times(
    app: AppProcess, credential: str, stop: threading.Event, limit: int | None = None
) -> list[float]:
    phone = requests.Session()
    phone.cookies.set("karte_device", credential, domain="127.0.0.1", path="/s/process/app/")
    times: list[float] = []
    while not stop.is_set() and (limit is None or len(times) < limit):
        start = time.perf_counter()
        response = phone.get(app.url("/s/process/app/"), timeout=30)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return times


def measure(mode: str, photos: list[bytes]) -> dict:
    base = Path(tempfile.mkdtemp(prefix=f"karte-bench-uploads-{mode}-"))
    background = mode == "worker"
    app = AppProcess(
        base,
        extra_env={
            "KARTE_TASKS_IMMEDIATE": "0" if background else "1",
            "KARTE_TASKS_FILE": str(base / "tasks.sqlite3"),
            "DB_CONN_MAX_AGE": "60",
        },
    )
    try:
        app.prepare()
        credential = app.shell("from django_scopes import scope\n" + SETUP).splitlines()[-1]
        app.start(workers=2)
        if background:
            # As deploy/systemd runs it: at a lower priority than the web workers, one libvips thread.
            app.start_task_worker(nice=10, VIPS_CONCURRENCY="1")
        staff = app.login()
        phone_times(app, credential, threading.Event(), limit=10)  # warm up
        idle = phone_times(app, credential, threading.Event(), limit=IDLE_REQUESTS)

        stop = threading.Event()
        during: list[float] = []
        reader = threading.Thread(target=lambda: during.extend(phone_times(app, credential, stop)))
        states: list[dict] = []

        def send(batch):
            for data in batch:
                response = staff.post(
                    app.url("/uploads/"),
                    data={"upload_key": str(uuid.uuid4()), "kind": "photo"},
                    files={"file": ("photo.jpg", data, "image/jpeg")},
                    headers={"Accept": "application/json"},
                    timeout=120,
                )
                assert response.status_code == 201, response.text[:200]
                states.append(response.json())

        reader.start()
        started = time.perf_counter()
        senders = [threading.Thread(target=send, args=(photos[i::2],)) for i in range(2)]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
        uploaded_s = time.perf_counter() - started

        # Each photo's status is asked every second, as the editor does.
        waiting = [s for s in states if s["status"] != "ready"]
        deadline = time.monotonic() + 600
        while waiting and time.monotonic() < deadline:
            time.sleep(1)
            waiting = [
                s
                for s in waiting
                if staff.get(app.url(s["status_url"]), timeout=30).json()["status"] != "ready"
            ]
        assert not waiting, "the copies were not made in 10 minutes"
        ready_s = time.perf_counter() - started
        stop.set()
        reader.join()
        return {
            "idle": statistics.median(idle),
            "during": statistics.median(during),
            "worst": max(during),
            "requests": len(during),
            "uploaded_s": uploaded_s,
            "ready_s": ready_s,
        }
    finally:
        app.stop()


def main() -> list[str]:
    photos = [camera_photo(i) for i in range(PHOTOS)]
    results = {mode: measure(mode, photos) for mode in ("worker", "inline")}
    lines = [
        "",
        f"## Phone home page while staff upload {PHOTOS} photos (12 MP JPEG, two at a time)",
        "",
        "gunicorn with 2 sync workers; the phone asks for its home page (20 kartes) in a loop. The",
        "ratio is the p50 from the first upload until every photo's copies are ready ÷ the p50 just",
        "before, in the same run.",
        "",
        "| Copies made | Idle p50 ms | During p50 ms | Ratio | Worst ms | Uploads answered | Copies ready |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    labels = {"worker": "by the worker (now)", "inline": "in the upload request (before)"}
    for mode, r in results.items():
        lines.append(
            f"| {labels[mode]} | {r['idle']:.1f} | {r['during']:.1f} | {r['during'] / r['idle']:.2f} | "
            f"{r['worst']:.0f} | {r['uploaded_s']:.1f} s | {r['ready_s']:.1f} s |"
        )
    return lines


if __name__ == "__main__":
    os.chdir(ROOT)
    print("\n".join(main()))
