"""The DATABASES entries read from a URL: one server, several (failover), or a pool in front.

`postgres://user@host1:port1,host2:port2/name?target_session_attrs=read-write` names every server
that may be the primary; libpq tries them in turn and keeps the one that takes writes, so after a
standby is promoted the app finds it without a restart. Django's URL parser knows one host only,
so the host list is taken off here and handed to libpq as it is.
"""

import re
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_HOSTS = re.compile(r"^(?P<scheme>[^:]+://)(?P<user>[^@/]*@)?(?P<hosts>[^/?]*)(?P<rest>.*)$")


def database_from_url(
    url: str, *, name: str, conn_max_age: int, pooled: bool, prepared: bool
) -> dict[str, Any]:
    """A DATABASES entry. name is the environment variable's, for the messages.

    pooled: behind PgBouncer in transaction mode, each transaction may run on another server
    connection, so nothing may outlive a transaction there: no server-side cursors and no
    prepared statements. prepared: PostgreSQL plans a query run five times on a connection once.
    """
    match = _HOSTS.match(url)
    hosts = match.group("hosts") if match else ""
    servers = hosts.split(",") if "," in hosts else []
    if servers:
        assert match is not None
        url = f"{match.group('scheme')}{match.group('user') or ''}placeholder{match.group('rest')}"
    try:
        entry: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=conn_max_age))
    except Exception as exc:
        raise ImproperlyConfigured(f"{name} could not be read ({exc}).") from None
    if entry.get("ENGINE") not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"}:
        raise ImproperlyConfigured(f"{name} must point at PostgreSQL (postgres://…) or SQLite (sqlite:///…).")
    postgres = entry["ENGINE"] == "django.db.backends.postgresql"
    if servers:
        if not postgres:
            raise ImproperlyConfigured(f"{name}: several servers are for PostgreSQL only.")
        hostnames, ports = [], []
        for server in servers:
            host, _, port = server.partition(":")
            if not host or (port and not port.isdigit()):
                raise ImproperlyConfigured(f"{name}: {server!r} is not host:port.")
            hostnames.append(host)
            ports.append(port or "5432")
        entry["HOST"], entry["PORT"] = ",".join(hostnames), ",".join(ports)
        # A kept connection to a server that has gone is found out before a request uses it.
        entry["CONN_HEALTH_CHECKS"] = True
    if postgres and pooled:
        entry["DISABLE_SERVER_SIDE_CURSORS"] = True
    elif postgres and prepared:
        entry.setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
    return entry
