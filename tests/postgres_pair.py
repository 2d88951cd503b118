"""A primary and a synchronous standby of the test's own, each behind a PgBouncer (deploy/postgres-pair).

Started on spare ports in a folder of its own, and stopped by the pid files the script keeps; the
shared PostgreSQL is never touched.
"""

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import psycopg

from .app_process import ROOT


def missing() -> str:
    """What this machine lacks for a pair, or "" when it has everything."""
    if shutil.which("pgbouncer") is None and not Path("/usr/sbin/pgbouncer").exists():
        return "needs PgBouncer (Debian's pgbouncer)"
    if not list(Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup")):
        return "needs PostgreSQL's server programs (initdb, pg_ctl, pg_basebackup)"
    return ""


class PostgresPair:
    def __init__(self) -> None:
        # Not under pytest's own folder: the servers run as the postgres user, who must reach it.
        self.base = Path(tempfile.mkdtemp(prefix="karte-pair-"))
        self.base.chmod(0o755)
        self.dir = self.base / "pair"
        self.env: dict[str, str] = {}

    def _script(self, command: str) -> str:
        result = subprocess.run(
            [str(ROOT / "deploy" / "postgres-pair"), command, str(self.dir)],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise AssertionError(f"deploy/postgres-pair {command} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self) -> "PostgresPair":
        self._script("start")
        for line in (self.dir / "env").read_text().splitlines():
            name, _, value = line.removeprefix("export ").partition("=")
            self.env[name] = value.strip("'")
        return self

    def stop(self) -> None:
        if self.dir.exists():
            self._script("stop")
        shutil.rmtree(self.base, ignore_errors=True)

    def promote(self) -> None:
        """As the operator does: close the lost primary's bouncer and promote the standby."""
        self._script("promote")

    def kill_primary(self) -> None:
        """SIGKILL the primary's postmaster: its children find it gone and stop at once."""
        pid = int((self.dir / "primary" / "postmaster.pid").read_text().splitlines()[0])
        os.kill(pid, signal.SIGKILL)

    def url(self, server: str) -> str:
        """The server itself (primary or standby), not through a bouncer, for the test's own reads."""
        port = self.env["PG_PRIMARY_PORT" if server == "primary" else "PG_STANDBY_PORT"]
        return f"postgres://postgres@127.0.0.1:{port}/karte"

    def query(self, server: str, sql: str, *params: object) -> list[tuple]:
        with psycopg.connect(self.url(server), autocommit=True) as conn:
            cursor = conn.execute(sql, params or None)
            return cursor.fetchall() if cursor.description else []
