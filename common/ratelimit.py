"""Fixed-window rate limits on the shared cache (Redis in production).

When the shared cache cannot be reached, each process counts on its own until it is back:
an outage of the cache must neither lock everybody out nor lift the limits.
"""

import logging
import threading
import time

from django.core.cache import cache
from django.utils.translation import gettext

from .outage import classify

logger = logging.getLogger("karte.outage")

_local_counts: dict[str, int] = {}
_local_lock = threading.Lock()
_last_warning = 0.0


def _count_shared(cache_key: str, window: int) -> int:
    if cache.add(cache_key, 1, timeout=window + 1):
        return 1
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window + 1)
        return 1


def _count_local(cache_key: str, bucket: int) -> int:
    with _local_lock:
        count = _local_counts.get(cache_key, 0) + 1
        _local_counts[cache_key] = count
        if len(_local_counts) > 10_000:
            # Windows that have ended count nothing any more.
            for key in [key for key in _local_counts if not key.endswith(f":{bucket}")]:
                del _local_counts[key]
        return count


def _warn_once_a_minute(error: BaseException) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= 60:
        _last_warning = now
        logger.warning(
            "cache unavailable, rate limits count per process: %s: %s", type(error).__name__, error
        )


def rate_limit_count(key: str, *, window: int) -> int:
    """How many attempts the current window holds so far, without counting one."""
    cache_key = f"ratelimit:{key}:{int(time.time() // window)}"
    try:
        return int(cache.get(cache_key) or 0)
    except Exception as error:
        if classify(error) is None:
            raise
        with _local_lock:
            return _local_counts.get(cache_key, 0)


def rate_limit_hit(key: str, *, limit: int, window: int) -> int | None:
    """Count one attempt. Returns None while under the limit, else the seconds until it resets."""
    now = time.time()
    bucket = int(now // window)
    cache_key = f"ratelimit:{key}:{bucket}"
    try:
        count = _count_shared(cache_key, window)
    except Exception as error:
        if classify(error) is None:
            raise
        _warn_once_a_minute(error)
        count = _count_local(cache_key, bucket)
    if count > limit:
        return max(1, int((bucket + 1) * window - now))
    return None


def retry_message(retry_after: int) -> str:
    """What a person held back is told, in their language: how long to wait, in whole minutes."""
    return gettext("Too many attempts. Please wait %(minutes)d minutes and try again.") % {
        "minutes": max(1, round(retry_after / 60))
    }
