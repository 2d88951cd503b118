"""nginx of the test's own, serving deploy/nginx/karte.conf in front of an AppProcess; stopped by pid."""

import os
import signal
import socket
import subprocess
from pathlib import Path

from .app_process import ROOT, free_port, wait_for


class NginxProcess:
    def __init__(self, base: Path, *, app_port: int | list[int], media: Path, static: Path | None = None):
        self.base = base
        self.port = free_port()
        base.mkdir(parents=True, exist_ok=True)
        (base / "static").mkdir(exist_ok=True)
        # Debian's module files name their libraries relative to nginx's prefix, which is `base` here.
        if Path("/usr/lib/nginx/modules").is_dir() and not (base / "modules").exists():
            (base / "modules").symlink_to("/usr/lib/nginx/modules")
        site = (ROOT / "deploy" / "nginx" / "karte.conf").read_text()
        ports = app_port if isinstance(app_port, list) else [app_port]
        # One `server` line for each app process, as the site file says.
        site = site.replace("    server @APP@;", "\n".join(f"    server 127.0.0.1:{port};" for port in ports))
        for placeholder, value in {
            "@LISTEN@": f"127.0.0.1:{self.port}",
            "@STATIC_ROOT@": str(static or base / "static"),
            "@MEDIA_ROOT@": str(media),
            "@RESOLVER@": "127.0.0.1",
        }.items():
            site = site.replace(placeholder, value)
        temp = "".join(
            f"{kind}_temp_path {base}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (base / "nginx.conf").write_text(
            # Photos are readable by their owner only: workers run as the app's user (root here).
            # Debian's modules (brotli_static among them), as its own nginx.conf loads them.
            f"include /etc/nginx/modules-enabled/*.conf;\n"
            f"user root;\nworker_processes 1;\npid {base}/nginx.pid;\n"
            f"error_log {base}/error.log;\nevents {{}}\n"
            f"http {{\ninclude /etc/nginx/mime.types;\naccess_log {base}/access.log;\n{temp}{site}\n}}\n"
        )
        self.process: subprocess.Popen | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        process = self.process = subprocess.Popen(
            ["nginx", "-p", str(self.base), "-c", str(self.base / "nginx.conf"), "-g", "daemon off;"],
            stderr=(self.base / "stderr.log").open("ab"),
        )

        def listening():
            if process.poll() is not None:
                raise AssertionError((self.base / "stderr.log").read_text())
            with socket.socket() as sock:
                return sock.connect_ex(("127.0.0.1", self.port)) == 0

        wait_for(listening, timeout=15, what="nginx")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
