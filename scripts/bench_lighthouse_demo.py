"""Lighthouse on the phone's pages of the demo salon, as a phone sees them: the karte list with the
salon's message and next visit, 「お店」, the notices, the counselling sheet from the app, and the
sheet a new customer opens from the counter's QR code. A gunicorn server (2 workers, DEBUG off) on a
copy of the demo's database; a phone linked through the real redeem service.

    python scripts/bench_lighthouse_demo.py     # after make demo; prints a Markdown table
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import bench_lighthouse

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _phone_and_sheet_link(database: Path) -> tuple[str, str]:
    """A linked phone's credential for the demo's first customer, and a counter link's token."""
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    _django()
    from django_scopes import scope

    from counselling.services import sheet_link_create
    from customers.models import Customer
    from linking.services import link_code_issue, link_code_redeem
    from salons.models import Salon, StaffMember

    salon = Salon.objects.get(slug="demo")
    with scope(salon=salon):
        customer = Customer.objects.order_by("number")[0]
        owner = StaffMember.objects.filter(salon=salon)[0]
        issued = link_code_issue(salon=salon, customer=customer, issued_by=owner)
        _device, credential = link_code_redeem(salon=salon, code=issued.code)
        _link, token = sheet_link_create(salon=salon, actor=None, single_use=False)
    return credential, token


def main() -> None:
    source = ROOT / "var" / "karte.sqlite3"
    if not source.exists():
        raise SystemExit("Run `make demo` first: the demo's database is not there.")
    folder = Path(tempfile.mkdtemp(prefix="karte-lighthouse-demo-"))
    database = folder / "karte.sqlite3"
    shutil.copy(source, database)
    credential, token = _phone_and_sheet_link(database)
    static = folder / "static"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "KARTE_TASKS_IMMEDIATE": "1",
        "STATIC_ROOT": str(static),
    }
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2"],
        cwd=ROOT, env=env, stdout=(folder / "server.log").open("ab"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{base}/alive/", timeout=2)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise SystemExit((folder / "server.log").read_text()) from None
                time.sleep(0.2)
        cookie = f"karte_device={credential}"
        pages = [
            ("Phone: karte list (message, next visit, sheet card)", "/s/demo/app/", cookie),
            ("Phone: 「お店」", "/s/demo/app/salon/", cookie),
            ("Phone: notice list", "/s/demo/app/notices/", cookie),
            ("Phone: counselling sheet from the app", "/s/demo/app/sheet/", cookie),
            ("Phone: counselling sheet from the counter's QR code", f"/s/demo/sheet/{token}/", ""),
        ]
        print("| Page | Performance | Accessibility | LCP ms |")
        print("| --- | ---: | ---: | ---: |")
        for label, path, with_cookie in pages:
            found = bench_lighthouse.run(f"{base}{path}", with_cookie)
            print(
                f"| {label} | {found['performance']} | {found['accessibility']} | {found['lcp_ms']:.0f} |",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
