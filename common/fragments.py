"""Rendered pieces of pages kept in the process, keyed by everything they were drawn from.

A karte card or a request card costs a few milliseconds of template work and is drawn again on
every visit to its page although nothing in it changed. `{% fragment %}` (common.templatetags.
fragments) keeps the drawn HTML here under a digest of the rows it shows: every field of each
record and of the records loaded with it. A change to any of them makes a new key, so nothing is
ever invalidated by hand and nothing stale is shown; old entries fall out as the store fills or
ages. The store lives in the worker's memory only, holds a bounded number of bytes
(KARTE_FRAGMENT_STORE_MB; 0 keeps nothing) and forgets an entry after a few minutes, so a deleted or
erased record's text does not outlive it for long.
"""

import datetime
import decimal
import hashlib
import sys
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Model, QuerySet
from django.utils.functional import Promise

KEEP_SECONDS = 10 * 60


class FragmentStore:
    """A least-recently-used map of key → HTML, bounded in bytes and in age."""

    def __init__(
        self,
        most_bytes: int,
        keep_seconds: float = KEEP_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.most_bytes = most_bytes
        self.keep_seconds = keep_seconds
        self.clock = clock
        self._entries: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> str | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and self.clock() - entry[0] > self.keep_seconds:
                del self._entries[key]
                self._bytes -= sys.getsizeof(entry[1])
                entry = None
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[1]

    def put(self, key: str, html: str) -> None:
        size = sys.getsizeof(html)  # what the text takes in memory: Japanese takes 2 bytes a letter
        if size > self.most_bytes // 8:
            return  # one huge piece would push out everything else
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= sys.getsizeof(old[1])
            self._entries[key] = (self.clock(), html)
            self._bytes += size
            while self._bytes > self.most_bytes:
                _key, (_at, dropped) = self._entries.popitem(last=False)
                self._bytes -= sys.getsizeof(dropped)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


STORE = FragmentStore(most_bytes=settings.FRAGMENT_STORE_MB * 1024 * 1024)


def fingerprint(*values: Any) -> str:
    """A digest of the values and, for model instances, of every field they hold and every record
    loaded with them (select_related and prefetch_related), to any depth."""
    digest = hashlib.blake2b(digest_size=20)
    _feed(digest, values, set())
    return digest.hexdigest()


# Values whose repr names them fully; a record's fields of these kinds go into the digest in one
# repr, the rest (related records, lists, JSON) one by one.
_PLAIN = frozenset(
    {str, int, float, bool, type(None), bytes, datetime.date, datetime.datetime, datetime.time,
     datetime.timedelta, decimal.Decimal, uuid.UUID}
)  # fmt: skip


def _feed(digest: Any, value: Any, seen: set[int]) -> None:
    kind = type(value)
    if kind in _PLAIN:
        digest.update(f"{value!r};".encode())
    elif isinstance(value, Model):
        if id(value) in seen:  # fed in full earlier in this digest
            digest.update(f"@{value._meta.label}:{value.pk};".encode())
            return
        seen.add(id(value))
        plain, nested = [], []
        for name, field_value in value.__dict__.items():
            if name == "_state":
                continue
            if type(field_value) in _PLAIN:
                plain.append((name, field_value))
            elif name == "_prefetched_objects_cache":
                for related, queryset in sorted(field_value.items()):
                    nested.append((f"{related}*", getattr(queryset, "_result_cache", None) or []))
            else:
                nested.append((name, field_value))
        nested += [
            (f"{related}>", instance) for related, instance in sorted(value._state.fields_cache.items())
        ]
        digest.update(f"<{value._meta.label}{plain!r}".encode())
        for name, each in nested:
            digest.update(f"|{name}=".encode())
            _feed(digest, each, seen)
        digest.update(b">")
    elif isinstance(value, Promise):
        digest.update(f"str:{value!s};".encode())  # a lazy translation, in the language of the key
    elif isinstance(value, QuerySet):
        _feed(digest, list(value), seen)  # read once: the queryset keeps its rows for the page
    elif isinstance(value, list | tuple):
        digest.update(b"[")
        for each in value:
            _feed(digest, each, seen)
        digest.update(b"]")
    elif isinstance(value, dict):
        digest.update(b"{")
        for key, each in value.items():
            digest.update(f"{key!r}:".encode())
            _feed(digest, each, seen)
        digest.update(b"}")
    else:
        # Anything else by its type and repr. One whose repr names only its address makes a new
        # key each time, which costs a drawing but never shows anything stale.
        digest.update(f"{kind.__name__}:{value!r};".encode())
