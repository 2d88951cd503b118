"""The database goes away under a real server process (gunicorn) and comes back.

On PostgreSQL the test's own database refuses connections (ALLOW_CONNECTIONS false) and its
sessions are terminated; on SQLite the database file's folder disappears. Every kind of
request answers 503 with Retry-After, and the same worker serves again once it is back.
"""

import os

import pytest

from .app_process import AppProcess, wait_for

pytestmark = [pytest.mark.process, pytest.mark.unpooled]
POOLED = os.environ.get("DB_POOLED") == "1"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = AppProcess(tmp_path_factory.mktemp("db-outage"))
    app.prepare()
    app.start()
    yield app
    app.stop()


def test_every_kind_of_request_is_a_503_during_a_database_outage(server):
    staff = server.login()
    phone_page = server.url("/s/process/app/")
    worker = server.worker_pids()
    server.take_database_away()
    try:
        page = staff.get(server.url("/customers/"), timeout=10)
        upload = staff.post(
            server.url("/uploads/"),
            data={"upload_key": "0b0c5c5e-0000-4000-8000-000000000001"},
            files={"file": ("p.jpg", b"not yet read", "image/jpeg")},
            headers={"Accept": "application/json"},
            timeout=10,
        )
        login = server.login_response()
        phone = staff.get(phone_page, timeout=10)
        link = staff.post(
            server.url("/s/process/app/link/"),
            data={"numeric": "12345678"},
            headers={"Accept": "application/json"},
            timeout=10,
        )
    finally:
        server.bring_database_back()

    assert page.status_code == 503
    assert page.headers["Retry-After"] == "15"
    assert "入力した内容は失われていません" in page.text
    assert upload.status_code == 503
    assert upload.json()["retry_after"] == 15
    assert upload.json()["reason"] == "database"
    assert login.status_code == 503
    assert phone.status_code == 503
    assert 'data-outage="database"' in phone.text
    assert link.status_code == 503
    assert link.json()["retryable"] is True

    # Back without a restart: the same worker, the same session. Through PgBouncer (scripts/
    # with-pgbouncer), the pool tries the server again within a second of its last failed login.
    if POOLED:
        back = lambda: staff.get(phone_page, timeout=10).status_code == 200  # noqa: E731
        wait_for(back, timeout=15, what="the pool to reach the database again")
    assert staff.get(server.url("/customers/"), timeout=10).status_code == 200
    assert server.worker_pids() == worker
    log = server.log.read_text()
    assert log.count("database unavailable during GET /customers/") == 1  # once, with its cause
    assert "Traceback" not in log


@pytest.mark.postgres_only
def test_a_read_only_database_is_a_503_and_recovers(server):
    if not server.db_name:
        pytest.skip("PostgreSQL only: read-only mode of a database")
    staff = server.login()
    server.pg("ALTER DATABASE {db} SET default_transaction_read_only = on")
    server.pg("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{dbname}'")
    try:
        login = server.login_response()
        create = staff.post(
            server.url("/customers/new/"),
            data={"name": "読取 専用", "kana": "よみとり せんよう"},
            timeout=10,
            allow_redirects=False,
        )
    finally:
        server.pg("ALTER DATABASE {db} RESET default_transaction_read_only")
        if POOLED:
            # A pool keeps the sessions it opened while the database was read-only, until the
            # operator lets them go (PgBouncer's RECONNECT) or the server restarts: as here.
            server.pg("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{dbname}'")
    assert login.status_code == 503
    assert create.status_code == 503
    assert "Traceback" not in server.log.read_text()
    assert server.login_response().status_code == 302


def test_with_debug_on_an_outage_met_in_middleware_is_still_a_503(tmp_path):
    """make run serves with DEBUG on: the session lookup failing is a 503 there too, not a debug page."""
    app = AppProcess(tmp_path, extra_env={"DEBUG": "1"})
    app.prepare()
    app.start()
    try:
        staff = app.login()
        app.take_database_away()
        try:
            page = staff.get(app.url("/customers/"), timeout=10)
        finally:
            app.bring_database_back()
        assert page.status_code == 503
        assert page.headers["Retry-After"] == "15"
        assert "入力した内容は失われていません" in page.text
    finally:
        app.stop()
