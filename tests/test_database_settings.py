"""DATABASE_URL with several servers, a pool in front (DB_POOLED), and the standby for heavy reads."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from common.replica import PRIMARY, PrimaryRouter, forget_lag, heavy_reads, replica_lag
from config.database import database_from_url
from customers.models import Customer


def _entry(url, **kwargs):
    options = {"name": "DATABASE_URL", "conn_max_age": 60, "pooled": False, "prepared": True, **kwargs}
    return database_from_url(url, **options)


def test_several_servers_are_handed_to_libpq_with_the_rest_of_the_address():
    entry = _entry("postgres://karte:pw@db1.internal:6432,db2.internal/karte?target_session_attrs=read-write")
    assert entry["HOST"] == "db1.internal,db2.internal"
    assert entry["PORT"] == "6432,5432"
    assert (entry["NAME"], entry["USER"], entry["PASSWORD"]) == ("karte", "karte", "pw")
    assert entry["OPTIONS"]["target_session_attrs"] == "read-write"
    # A kept connection to a server that went away is found out before a request uses it.
    assert entry["CONN_HEALTH_CHECKS"] is True


def test_one_server_stays_as_django_reads_it():
    entry = _entry("postgres://karte@db.internal:5432/karte")
    assert (entry["HOST"], entry["PORT"]) == ("db.internal", 5432)
    assert entry["CONN_HEALTH_CHECKS"] is False
    assert entry["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}


def test_behind_a_pool_nothing_outlives_a_transaction():
    entry = _entry("postgres://karte@bouncer:6432/karte", pooled=True)
    assert entry["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert "prepare_threshold" not in entry.get("OPTIONS", {})


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgres://karte@db1:6432,db2:x/karte", "'db2:x' is not host:port"),
        ("postgres://karte@db1,:6432/karte", "':6432' is not host:port"),
        ("sqlite://a,b/karte.sqlite3", "several servers are for PostgreSQL only"),
        ("mysql://karte@db/karte", "must point at PostgreSQL"),
    ],
)
def test_an_address_that_cannot_work_is_refused_at_start(url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        _entry(url)


def test_without_a_standby_heavy_reads_use_the_primary():
    forget_lag()
    assert heavy_reads() == PRIMARY
    assert replica_lag() is None


def test_writes_and_ordinary_reads_go_to_the_primary_and_only_it_is_migrated():
    router = PrimaryRouter()
    assert router.db_for_write(Customer) == PRIMARY
    assert router.db_for_read(Customer) is None  # the primary, or the related record's database
    assert router.allow_migrate(PRIMARY, "customers") is True
    assert router.allow_migrate("replica", "customers") is False


@pytest.mark.django_db
def test_the_lag_question_runs_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    from common.replica import _LAG_SQL

    with connection.cursor() as cursor:
        cursor.execute(_LAG_SQL)
        assert cursor.fetchone()[0] == 0  # a primary is never behind itself
