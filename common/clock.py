"""The database's clock, for deadlines that several app servers must agree on."""

import datetime

from django.db import connection


def database_now() -> datetime.datetime:
    """Now, as the database sees it: app servers' own clocks may drift apart; the database is one."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT CURRENT_TIMESTAMP")
            now: datetime.datetime = cursor.fetchone()[0]
            return now
        cursor.execute("SELECT STRFTIME('%Y-%m-%d %H:%M:%f', 'now')")
        value = datetime.datetime.fromisoformat(cursor.fetchone()[0])
    return value.replace(tzinfo=datetime.UTC)
