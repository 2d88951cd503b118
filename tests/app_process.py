"""A real Karte server in its own process (gunicorn, one sync worker), for the tests that
break things a server cannot survive in-process: a database going away, a SIGKILL mid-request.

Each server has its own database (a copy of a migrated template: PostgreSQL when DATABASE_URL points at
PostgreSQL, else an SQLite file), its own photo folder and spool, and is stopped by process id.
"""

import atexit
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
OWNER = ("process-owner", "process-pw-123")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


# Each test process migrates one database (with the process salon in it) once, and every server
# database it makes after that starts as a copy: migrating takes seconds, a copy a fraction of one.
_templates: dict[str, str] = {}


def _server_url() -> str:
    """The PostgreSQL server itself, also beside a PgBouncer (scripts/with-pgbouncer): a database
    copied as a template must have no connections, and a bouncer keeps some open."""
    return os.environ.get("DATABASE_DIRECT_URL") or os.environ.get("DATABASE_URL", "")


def _drop_database(name: str) -> None:
    with psycopg.connect(_server_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _in_database(url: str, name: str) -> str:
    return re.sub(r"/[^/]*$", f"/{name}", url)


class AppProcess:
    media: Path
    db_dir: Path
    env: dict[str, str]
    # The test's own redis-server (tests/redis_process.py) when the server was given one.
    redis: Any = None

    def __init__(
        self,
        base: Path,
        *,
        extra_env: dict[str, str] | None = None,
        share_with: "AppProcess | None" = None,
        database_url: str = "",
    ):
        """share_with: a second app server on the same database and photo folder as that one.
        database_url: a database of the test's own (tests/postgres_pair.py), neither made nor dropped here."""
        self.base = base
        base.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.media = share_with.media if share_with else base / "media"
        self.spool = base / "spool"
        self.db_dir = share_with.db_dir if share_with else base / "db"
        self.db_dir.mkdir(parents=True, exist_ok=True)
        shared = os.environ.get("DATABASE_URL", "")
        self.own_database = share_with is None and not database_url  # made here: a template's copy
        self.pg_admin_url = shared if shared.startswith("postgres") else ""
        if share_with is not None:
            self.db_name = ""  # dropped by the one that made it
            database_url = share_with.env["DATABASE_URL"]
        elif database_url:
            self.db_name = ""
        elif self.pg_admin_url:
            self.db_name = f"karte_proc_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(self.pg_admin_url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.db_name}"')
            database_url = _in_database(self.pg_admin_url, self.db_name)
        else:
            self.db_name = ""
            database_url = f"sqlite:///{self.db_dir / 'karte.sqlite3'}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SETTINGS"))},
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            # One connection per request, so that an outage and its end are seen at once.
            "DB_CONN_MAX_AGE": "0",
            "MEDIA_ROOT": str(self.media),
            "KARTE_SPOOL_DIR": str(self.spool),
            "LOG_LEVEL": "WARNING",
            "DEBUG": "0",
            **(extra_env or {}),
        }
        self.env.pop("REDIS_URL", None) if "REDIS_URL" not in (extra_env or {}) else None
        if database_url and "DATABASE_DIRECT_URL" not in (extra_env or {}):
            # The suite's own server (scripts/with-pgbouncer), not this database's.
            self.env.pop("DATABASE_DIRECT_URL", None)
        self.process: subprocess.Popen | None = None
        self.task_workers: list[subprocess.Popen] = []
        self.log = base / "server.log"

    def manage(self, *args: str, env: dict[str, str] | None = None) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env or self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def prepare(self) -> None:
        """Migrate and create one salon with an owner login: in a database of the server's own, as
        a copy of the test process's template (made by the first server that asks)."""
        if not self.own_database:
            self._migrate(self.env)
        elif self.db_name:
            template = _templates.get("postgres") or self._make_postgres_template()
            with psycopg.connect(_server_url(), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{self.db_name}" TEMPLATE "{template}"')
        else:
            template = _templates.get("sqlite") or self._make_sqlite_template()
            source, copy = sqlite3.connect(template), sqlite3.connect(self.db_dir / "karte.sqlite3")
            try:
                source.backup(copy)
            finally:
                source.close()
                copy.close()

    def _make_postgres_template(self) -> str:
        name = f"karte_tpl_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(_server_url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        atexit.register(_drop_database, name)
        self._migrate({**self.env, "DATABASE_URL": _in_database(_server_url(), name)})
        _templates["postgres"] = name
        return name

    def _make_sqlite_template(self) -> str:
        folder = tempfile.mkdtemp(prefix="karte-template-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        path = os.path.join(folder, "karte.sqlite3")
        self._migrate({**self.env, "DATABASE_URL": f"sqlite:///{path}"})
        _templates["sqlite"] = path
        return path

    def _migrate(self, env: dict[str, str]) -> None:
        self.manage("migrate", "--noinput", "-v", "0", env=env)
        self.manage(
            "create_salon",
            "--name=Process Salon",
            "--slug=process",
            f"--owner={OWNER[0]}",
            "--owner-name=Owner",
            f"--password={OWNER[1]}",
            "--customer-app",
            env=env,
        )

    def start(self, *, preload: bool = False, workers: int = 1) -> None:
        """Start gunicorn; with preload the app is imported once, so a killed worker is back at once."""
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--timeout",
                "60",
                "--graceful-timeout",
                "1",
                *(["--preload"] if preload else []),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(self._answers, timeout=30, what="the server to answer")

    def _answers(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"server exited:\n{self.log.read_text()}")
        try:
            requests.get(self.url("/login/"), timeout=2)
        except (requests.ConnectionError, requests.Timeout):
            return False  # not listening yet, or its first answer is slow on a busy machine
        return True

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
        ).stdout
        return [int(pid) for pid in out.split()]

    def kill_worker(self) -> int:
        """SIGKILL the worker; gunicorn's master starts a fresh one, as in production."""
        pids = self.worker_pids()
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        wait_for(lambda: set(self.worker_pids()) - set(pids), timeout=30, what="a new worker")
        return len(pids)

    def start_task_worker(self, *, nice: int = 0, threads: int = 1, **extra_env: str) -> subprocess.Popen:
        """`manage.py run_huey`, the background worker, as production runs it (no periodic jobs)."""
        worker = subprocess.Popen(
            [
                *(["nice", "-n", str(nice)] if nice else []),
                sys.executable,
                *("manage.py", "run_huey", "--workers", str(threads), "--no-periodic", "--flush-locks"),
            ],
            cwd=ROOT,
            # KARTE_TASK_WORKERS as deploy/systemd sets it beside --workers (common.tasks.bulk_threads).
            env={**self.env, "KARTE_TASK_WORKERS": str(threads), **extra_env},
            stdout=(self.base / "worker.log").open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.task_workers.append(worker)
        return worker

    def kill_task_worker(self, worker: subprocess.Popen) -> None:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)

    def stop(self) -> None:
        """Stop the server and its workers, and drop its PostgreSQL database."""
        for worker in self.task_workers:
            if worker.poll() is None:
                self.kill_task_worker(worker)
        self.stop_server()
        if self.db_name:
            with psycopg.connect(self.pg_admin_url, autocommit=True) as conn:
                conn.execute(f'ALTER DATABASE "{self.db_name}" WITH ALLOW_CONNECTIONS true')
                conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        self.db_name = ""

    def stop_server(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def take_database_away(self) -> None:
        """PostgreSQL: the database refuses connections and its sessions end; SQLite: its folder goes."""
        if self.db_name:
            self.pg("ALTER DATABASE {db} WITH ALLOW_CONNECTIONS false")
            self.pg("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{dbname}'")
        else:
            self.db_dir.rename(self.db_dir.with_name("db-away"))

    def bring_database_back(self) -> None:
        if self.db_name:
            self.pg("ALTER DATABASE {db} WITH ALLOW_CONNECTIONS true")
        else:
            self.db_dir.with_name("db-away").rename(self.db_dir)

    def shell(self, code: str) -> str:
        """Run Python inside the app (Django set up, scopes off); returns what it printed."""
        preamble = "from django_scopes import scopes_disabled\nwith scopes_disabled():\n"
        body = "".join(f"    {line}\n" for line in code.strip().splitlines())
        return self.manage("shell", "-v", "0", "-c", preamble + body).strip()

    def pg(self, sql: str) -> None:
        """Run a statement on the shared server as its administrator (outages of this database only)."""
        with psycopg.connect(self.pg_admin_url, autocommit=True) as conn:
            conn.execute(sql.replace("{db}", f'"{self.db_name}"').replace("{dbname}", self.db_name))

    def login_response(self, session: requests.Session | None = None) -> requests.Response:
        session = session or requests.Session()
        # The CSRF cookie is made up here: the login page may itself be unavailable.
        session.cookies.set("csrftoken", "k" * 32, domain="127.0.0.1", path="/")
        return session.post(
            self.url("/login/"),
            data={"username": OWNER[0], "password": OWNER[1], "csrfmiddlewaretoken": "k" * 32},
            headers={"Referer": self.url("/login/")},
            timeout=10,
            allow_redirects=False,
        )

    def login(self) -> requests.Session:
        session = requests.Session()
        response = self.login_response(session)
        assert response.status_code == 302, response.text[:500]
        session.headers["X-CSRFToken"] = session.cookies.get("csrftoken") or ""
        session.headers["Referer"] = self.url("/")
        return session
