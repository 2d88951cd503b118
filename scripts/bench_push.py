"""Push fan-out for 100,000 phones against a push service of our own on 127.0.0.1, beside a bare loop
posting the same requests: ours ÷ bare, measured in one run on one machine.

    python scripts/bench_push.py [phones]        (default 100000)

Ours: the broadcast is planned (one PushDelivery row per phone) and the batches are drained as the
worker drains them (pushes_send_due, BATCH at a time): each push read, signed (VAPID), encrypted
(aes128gcm), posted and marked. Bare: the same number of POSTs of one ready-made encrypted body
with its headers, one after the other over one connection: what the network part alone costs.
The push service runs in a process of its own and checks every signature and decrypts every payload
for both. SQLite in a temporary folder. Writes its section into docs/bench-sqlite.md.
"""

import base64
import datetime
import multiprocessing
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def serve(vapid_public: str, browser_private: bytes, auth: bytes, ready, counts) -> None:
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    from tests.push_service import Browser, PushService

    browser = Browser()
    browser.private_key = load_der_private_key(browser_private, password=None)  # type: ignore[assignment]
    browser.auth = auth
    service = PushService(vapid_public_key=vapid_public, every_phone=browser).start()
    ready.put(service.origin)
    while True:
        command = counts.get()
        if command == "stop":
            break
        ready.put((len(service.delivered), len(service.refused)))
    service.stop()


def main() -> None:
    phones = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    folder = tempfile.mkdtemp(prefix="karte-bench-push-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["KARTE_TASKS_IMMEDIATE"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    from push.keys import vapid_pair_new
    from tests.push_service import Browser

    public, private = vapid_pair_new()
    os.environ["VAPID_PUBLIC_KEY"], os.environ["VAPID_PRIVATE_KEY"] = public, private
    os.environ["PUSH_SERVICE_HOSTS"] = os.environ["PUSH_INSECURE_HOSTS"] = "127.0.0.1"
    phone = Browser()
    auth = base64.urlsafe_b64encode(phone.auth).rstrip(b"=").decode()
    ready: multiprocessing.Queue = multiprocessing.Queue()
    commands: multiprocessing.Queue = multiprocessing.Queue()
    der = phone.private_key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    server = multiprocessing.Process(
        target=serve, args=(public, der, phone.auth, ready, commands), daemon=True
    )
    server.start()
    origin = ready.get(timeout=30)

    import django

    django.setup()
    import requests
    from django.core.management import call_command
    from django.utils import timezone
    from django_scopes import scope, scopes_disabled
    from pywebpush import WebPusher

    from customers.models import Customer
    from linking.models import Device
    from notices.models import Notice
    from push.keys import vapid_signer
    from push.models import PushDelivery, PushSubscription
    from push.services import BATCH, notice_push_plan, push_payload, pushes_send_due
    from salons.models import Salon

    call_command("migrate", verbosity=0)
    salon = Salon.objects.create(name="Bench Salon", slug="bench", customer_app_enabled=True)
    now = timezone.now()
    with scope(salon=salon):
        customers = Customer.objects.bulk_create(
            [Customer(salon=salon, name=f"客 {i}", kana="きゃく", kana_sort="きゃく") for i in range(phones)],
            batch_size=5000,
        )
        Device.objects.bulk_create(
            [
                Device(salon=salon, customer=c, credential_hash=f"{i:064d}", label="Phone")
                for i, c in enumerate(customers)
            ],
            batch_size=5000,
        )
        PushSubscription.objects.bulk_create(
            [
                PushSubscription(
                    salon=salon, device_id=d, endpoint=f"{origin}/push/{d}", p256dh=phone.p256dh, auth=auth
                )
                for d in Device.objects.values_list("pk", flat=True)
            ],
            batch_size=5000,
        )  # fmt: skip
        noon = timezone.make_aware(datetime.datetime.combine(now.date(), datetime.time(12)))
        notice = Notice.objects.create(
            salon=salon,
            title="年末年始の営業",
            body="…",
            starts_at=noon,
            ends_at=noon + datetime.timedelta(days=7),
        )

    started = time.perf_counter()
    with scope(salon=salon):
        planned = notice_push_plan(notice=notice, now=noon)
    plan_s = time.perf_counter() - started
    batches = 0
    with scopes_disabled():
        while sum(pushes_send_due(now=noon, limit=BATCH).values()):
            batches += 1
    ours_s = time.perf_counter() - started
    commands.put("count")
    delivered, refused = ready.get(timeout=60)
    with scopes_disabled():
        sent = PushDelivery.objects.filter(status="sent").count()

    # The bare loop: the same requests, prepared once, posted one after the other.
    endpoint = f"{origin}/push/bare"
    subscription = {"endpoint": endpoint, "keys": {"p256dh": phone.p256dh, "auth": auth}}
    payload = push_payload(salon_name=salon.name, title=notice.title, url="/s/bench/app/notices/1/")
    pusher = WebPusher(subscription)
    encoded = pusher.encode(payload.encode(), "aes128gcm")
    headers = vapid_signer(private).sign({"sub": "mailto:bench@example.jp", "aud": origin,
                                          "exp": int(time.time()) + 3600})  # fmt: skip
    headers = {**headers, "Content-Encoding": "aes128gcm", "TTL": "345600", "Urgency": "normal"}
    session = requests.Session()
    started = time.perf_counter()
    for _ in range(phones):
        response = session.post(endpoint, data=encoded["body"], headers=headers, timeout=10)
        assert response.status_code == 201, response.status_code
    bare_s = time.perf_counter() - started
    commands.put("count")
    delivered_all, _refused = ready.get(timeout=60)
    commands.put("stop")
    server.join(timeout=30)

    ratio = ours_s / bare_s
    lines = [
        "## Push fan-out (`scripts/bench_push.py`)",
        "",
        f"A broadcast to {phones:,} phones that take push, against a push service of our own on",
        "127.0.0.1 (in a process of its own; it checks every VAPID signature and decrypts every payload).",
        f"Ours: planned ({planned:,} rows in {plan_s:.1f} s), then drained in batches of {BATCH} as the",
        f"worker does ({batches} batches):",
        "each push read, signed, encrypted, posted and marked. Bare: the same number of POSTs of one",
        "ready-made encrypted body, one after the other over one connection.",
        "",
        "| | time | per push |",
        "| --- | --- | --- |",
        f"| ours (plan + send) | {ours_s:.1f} s | {ours_s / phones * 1000:.2f} ms |",
        f"| bare loop | {bare_s:.1f} s | {bare_s / phones * 1000:.2f} ms |",
        f"| **ours ÷ bare** | **{ratio:.2f}** | |",
        "",
        f"Delivered, signature checked and payload decrypted by the push service: {delivered:,} of ours and",
        f"{delivered_all - delivered:,} of the bare loop; refused: {refused}; marked sent: {sent:,}.",
        "",
    ]
    section = "\n".join(lines)
    print(section)
    report = ROOT / "docs" / "bench-sqlite.md"
    text = report.read_text() if report.exists() else "# Benchmarks on SQLite\n\n"
    text = re.sub(
        r"## Push fan-out \(`scripts/bench_push.py`\)\n.*?(?=\n## |\Z)", "", text, flags=re.S
    ).rstrip()
    report.write_text(text + "\n\n" + section)


if __name__ == "__main__":
    main()
