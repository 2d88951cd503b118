"""Whole pages kept for the next identical request, checked against the tables they were read from.

A staff page or a phone page costs 8–20 ms of queries and templates, and the same tablet often asks
for the same page again within the minute: back from the editor, a reload, a second look at the
list. Every query any process makes passes through `track` (installed on each database
connection), which notes the tables a request reads and, for every write, moves a version kept in
the shared cache for that table and salon (or for every salon, when the write ran outside a salon's
scope). A page is kept when its request wrote nothing, set no new cookie and belongs to one salon;
it is given again only to the same request (path, cookies — so the same session or phone —, the
session's content and the language), for a minute at most, and only while no table it was read
from has moved since it was read. Versions are read before the page is drawn and moved again after
each commit, so a change that commits while a page is being drawn leaves the kept copy out of date,
never a stale one in date.

Anything not in the database (a file in storage, the clock) can be at most a minute behind. After
that minute the page is drawn again, its tables' versions read first, so it is kept at once.

The versions live in the shared cache (Redis), so every web and worker process must run with
KARTE_PAGE_KEEP the same; without Redis it is only for a single process.
"""

import contextlib
import dataclasses
import hashlib
import logging
import re
import secrets
import threading
import zlib
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.test.signals import setting_changed
from django.utils import timezone
from django_scopes import get_scope

from .bodylimit import GetResponse

FRESH_SECONDS = 60  # the most anything outside the database (a file, the clock) can be behind
KEEP_SECONDS = 10 * 60  # how long the list of the tables a page reads is kept
logger = logging.getLogger("karte.outage")
EVERY = "*"  # a version for every salon, or for every table
_READ = re.compile(r'\b(?:FROM|JOIN)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?', re.IGNORECASE)
_WRITE = re.compile(
    r'\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?', re.IGNORECASE
)
# The session's row is not followed as a table: its content is part of the key instead, so that a
# session changed or ended gives another key, and one staff member's login moves nothing else.
_UNTRACKED = frozenset({"django_session"})
_QUIET = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "SET", "SHOW", "PRAGMA", "EXPLAIN")
# What names who is asking and how the page is drawn; anything else in the request is ignored.
_KEYED_HEADERS = (
    "HTTP_COOKIE",
    "HTTP_ACCEPT",
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_USER_AGENT",
    "HTTP_SEC_FETCH_DEST",
    "HTTP_HX_REQUEST",
    "HTTP_HX_TARGET",
)


@dataclasses.dataclass
class _Reading:
    """What one request has read and whether it wrote."""

    tables: set[str] = dataclasses.field(default_factory=set)
    wrote: bool = False


_reading: ContextVar[_Reading | None] = ContextVar("karte_page_reading", default=None)


def _version_key(salon: object, table: str) -> str:
    return f"karte:pv:{salon}:{table}"


def _scoped_salon() -> object:
    """The salon whose scope the code runs in, or EVERY outside one (or with scopes disabled)."""
    state = get_scope()
    salon = state.get("salon")
    if not state.get("_enabled", False) or salon is None:
        return EVERY
    salon_id = getattr(salon, "pk", salon)
    return salon_id if isinstance(salon_id, int) else EVERY


def tables_written(sql: str) -> set[str] | None:
    """The tables a statement changes: empty for a read, None when it cannot be told (DDL, COPY…)."""
    head = sql.lstrip()[:12].upper()
    if head.startswith((*_QUIET, "SELECT", "VALUES")):  # SELECT … FOR UPDATE too: it changes nothing
        return set()
    written = set(_WRITE.findall(sql))
    if written:
        return written
    if head.startswith("WITH"):
        return set()
    return None


_owed = threading.Event()  # a change could not be noted: every kept page is out of date


def moved(salon: object, tables: set[str] | None) -> None:
    """Give the tables (None: all of them) new versions for the salon (EVERY: for all salons).

    With the cache unreachable the write goes on (kept pages cannot be given meanwhile either),
    and every kept page is put out of date as soon as it answers again."""
    names = tables if tables is not None else {EVERY}
    token = secrets.token_hex(8)
    versions = {_version_key(salon, table): token for table in names}
    if _owed.is_set():
        versions[_version_key(EVERY, EVERY)] = token
    try:
        cache.set_many(versions, timeout=None)
    except Exception as error:
        _owed.set()
        logger.warning("cache unavailable, kept pages are dropped: %s: %s", type(error).__name__, error)
    else:
        if _owed.is_set() and _version_key(EVERY, EVERY) in versions:
            _owed.clear()


class _Moved:
    """One commit's worth of moved versions, registered once per transaction."""

    def __init__(self) -> None:
        self.changes: dict[object, set[str] | None] = {}

    def add(self, salon: object, tables: set[str] | None) -> None:
        if salon in self.changes and self.changes[salon] is None:
            return
        if tables is None or salon not in self.changes:
            self.changes[salon] = None if tables is None else set(tables)
        else:
            self.changes[salon] |= tables  # type: ignore[operator]

    def __call__(self) -> None:
        for salon, tables in self.changes.items():
            moved(salon, tables)


def track(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
    result = execute(sql, params, many, context)
    written = tables_written(sql)
    reading = _reading.get()
    if written == set():
        if reading is not None:
            reading.tables.update(table for table in _READ.findall(sql) if table not in _UNTRACKED)
        return result
    if written is not None:
        written -= _UNTRACKED
        if not written:
            return result
    if reading is not None:
        reading.wrote = True
    salon = _scoped_salon()
    connection = context["connection"]
    # Now, for a reader in this transaction and for tests that never commit; and again after the
    # commit, for a page drawn meanwhile from what was there before.
    moved(salon, written)
    if connection.in_atomic_block:
        pending = next(
            (func for _sids, func, _robust in reversed(connection.run_on_commit) if isinstance(func, _Moved)),
            None,
        )
        if pending is None:
            pending = _Moved()
            connection.on_commit(pending)
        pending.add(salon, written)
    return result


def _install_on(connection: Any, **kwargs: object) -> None:
    if track not in connection.execute_wrappers:
        connection.execute_wrappers.append(track)


def install() -> None:
    """Track every connection, those open now and those opened later."""
    for connection in connections.all(initialized_only=True):
        _install_on(connection)
    connection_created.connect(_install_on, dispatch_uid="karte-page-keep")
    # A test's changed setting may change any page.
    setting_changed.connect(_settings_changed, dispatch_uid="karte-page-keep")


def _settings_changed(**kwargs: object) -> None:
    moved(EVERY, None)


@dataclasses.dataclass
class _Kept:
    versions: dict[str, str]  # version key → version read before the page was drawn
    drawn_at: float
    status: int
    headers: list[tuple[str, str]]
    content: bytes  # zlib: a kept page takes about a tenth of its size in Redis


def _request_keys(request: HttpRequest) -> tuple[str, str]:
    """The kept page's key, and the key of the list of its tables (which outlives a session's change)."""
    parts = [request.scheme or "", request.get_host(), request.get_full_path()]
    parts += [request.META.get(name, "") for name in _KEYED_HEADERS]
    tables_key = "karte:page-tables:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        # Logged out, logged in again, a message waiting, a second factor shown: another key.
        parts.append(repr(sorted(request.session.items())))
    return "karte:page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest(), tables_key


def _current(keys: list[str]) -> dict[str, str]:
    """The versions now, a new one made for any the cache does not hold (never seen, or evicted)."""
    found: dict[str, str] = cache.get_many(keys)
    for key in keys:
        if key not in found:
            token = secrets.token_hex(8)
            found[key] = token if cache.add(key, token, timeout=None) else cache.get(key, token)
    return found


def _keys_for(salon: object, tables: set[str]) -> list[str]:
    keys = {_version_key(EVERY, EVERY), _version_key(salon, EVERY)}
    for table in tables:
        keys |= {_version_key(EVERY, table), _version_key(salon, table)}
    return sorted(keys)


def _keepable(request: HttpRequest, response: HttpResponseBase, reading: _Reading) -> bool:
    if reading.wrote or response.streaming or getattr(request, "page_keep_off", False):
        return False
    # A renewed cookie is the same one again; a new or removed one means a new state (login, messages).
    cookies = response.cookies.items()
    return all(morsel.value and request.COOKIES.get(name) == morsel.value for name, morsel in cookies)


class PageKeepMiddleware:
    """Answers a repeated GET from the kept page while nothing it was read from has changed."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        # A page is kept for a session or a phone, both named by a cookie: a request with none (a
        # monitor's /alive/, a first visit) never costs the cache a round trip.
        if (
            not settings.PAGE_KEEP
            or request.method != "GET"
            or not request.COOKIES
            or request.path.startswith("/admin/")
        ):
            return self.get_response(request)
        try:
            key, tables_key = _request_keys(request)
            kept, before = _look_up(key, tables_key)
        except Exception:
            return self.get_response(request)  # the cache is out: every page is drawn
        if kept is not None:
            return _answer(kept)
        reading = _Reading()
        token = _reading.set(reading)
        try:
            response = self.get_response(request)
        finally:
            _reading.reset(token)
        if getattr(request, "salon", None) is not None and response.status_code == 200:
            with contextlib.suppress(Exception):  # not kept this time
                _store(key, tables_key, request, response, reading, before)
        return response


def _look_up(key: str, tables_key: str) -> tuple[_Kept | None, dict[str, str]]:
    """The kept page if it may be given, else the versions its tables have now (read before drawing)."""
    if _owed.is_set():
        moved(EVERY, None)
    found = cache.get_many([key, tables_key])
    kept: _Kept | None = found.get(key)
    if kept is not None and _fresh(kept):
        now = _current(list(kept.versions))
        if now == kept.versions:
            return kept, now
    known: list[str] = found.get(tables_key, [])
    return None, _current(known) if known else {}


def _store(
    key: str,
    tables_key: str,
    request: HttpRequest,
    response: HttpResponseBase,
    reading: _Reading,
    before: dict[str, str],
) -> None:
    """Kept only if every version it depends on was read before it was drawn; else only its tables
    are noted, for the next drawing to read their versions first. The page itself is kept for a
    minute, the list of its tables for longer."""
    keys = _keys_for(request.salon.pk, reading.tables)  # type: ignore[attr-defined]
    if not set(keys) <= set(before):
        cache.set(tables_key, sorted(set(keys) | set(before)), timeout=KEEP_SECONDS)
    elif _keepable(request, response, reading) and isinstance(response, HttpResponse):
        kept = _Kept(
            versions=before,
            drawn_at=timezone.now().timestamp(),
            status=response.status_code,
            headers=[(name, value) for name, value in response.items() if name.lower() != "set-cookie"],
            content=zlib.compress(response.content, 1),
        )
        cache.set(key, kept, timeout=FRESH_SECONDS)


def _fresh(kept: _Kept) -> bool:
    return 0 <= timezone.now().timestamp() - kept.drawn_at < FRESH_SECONDS


def _answer(kept: _Kept) -> HttpResponse:
    response = HttpResponse(zlib.decompress(kept.content), status=kept.status)
    for name, value in kept.headers:
        response[name] = value
    response["Age"] = str(int(timezone.now().timestamp() - kept.drawn_at))  # as a cache says it
    return response
