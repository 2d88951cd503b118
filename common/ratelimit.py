"""Fixed-window rate limits on the shared cache (Redis in production)."""

import time

from django.core.cache import cache


def rate_limit_hit(key: str, *, limit: int, window: int) -> int | None:
    """Count one attempt. Returns None while under the limit, else the seconds until it resets."""
    now = time.time()
    bucket = int(now // window)
    cache_key = f"ratelimit:{key}:{bucket}"
    if cache.add(cache_key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=window + 1)
            count = 1
    if count > limit:
        return max(1, int((bucket + 1) * window - now))
    return None
