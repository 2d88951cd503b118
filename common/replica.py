"""Heavy reads on the standby while it keeps up; everything else on the primary.

Exports, the analytics roll-up and backups read a whole salon. With DATABASE_REPLICA_URL they ask
`heavy_reads()` for the alias to read from: the standby when it is at most
DB_REPLICA_MAX_LAG_SECONDS behind, else the primary. Nothing else ever reads the standby: every
page a person acts on, and every write, goes to the primary (PrimaryRouter), so what was just
saved or unpublished is seen at once.
"""

import logging
import time

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import Model

logger = logging.getLogger("karte.replica")

PRIMARY = "default"
REPLICA = "replica"
# The standby's lag is asked at most this often by a process.
_LAG_CHECKED_FOR = 5.0
_checked: dict[str, float] = {}

# Seconds behind: nothing unreplayed is 0; not streaming at all counts as infinitely far behind.
_LAG_SQL = """
SELECT CASE
  WHEN NOT pg_is_in_recovery() THEN 0
  WHEN NOT EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN 'Infinity'::float8
  WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
  ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8, 'Infinity'::float8)
END
"""


def replica_lag() -> float | None:
    """How many seconds the standby is behind; None without a standby or when it cannot be asked."""
    if REPLICA not in settings.DATABASES:
        return None
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(_LAG_SQL)
            return float(cursor.fetchone()[0])
    except DatabaseError as exc:
        logger.warning("the standby could not be asked how far behind it is: %s", exc)
        connections[REPLICA].close()
        return None


def heavy_reads() -> str:
    """The alias for a heavy read: the standby while it is close enough behind, else the primary."""
    if REPLICA not in settings.DATABASES:
        return PRIMARY
    now = time.monotonic()
    if now - _checked.get("at", -_LAG_CHECKED_FOR) >= _LAG_CHECKED_FOR:
        lag = replica_lag()
        fresh = lag is not None and lag <= settings.DB_REPLICA_MAX_LAG_SECONDS
        if not fresh:
            logger.info("heavy reads go to the primary: the standby is %s s behind", lag)
        _checked.update(at=now, fresh=float(fresh))
    return REPLICA if _checked["fresh"] else PRIMARY


def forget_lag() -> None:
    """Ask the standby again before the next heavy read (tests, and after a failover)."""
    _checked.clear()


class PrimaryRouter:
    """Writes, and reads unless a heavy read asks for the standby by name, go to the primary.

    A record read from the standby is written back to the primary; the standby is never migrated.
    """

    def db_for_read(self, model: type[Model], **hints: object) -> str | None:
        return None  # the primary, or the database the related record came from

    def db_for_write(self, model: type[Model], **hints: object) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: object) -> bool:
        return True  # the standby holds the primary's data

    def allow_migrate(self, db: str, app_label: str, **hints: object) -> bool:
        return db == PRIMARY
