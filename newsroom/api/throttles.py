from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import AnonRateThrottle

logger = logging.getLogger(__name__)


def throttle_cache_errors() -> tuple[type[Exception], ...]:
    """What the throttle cache raises when it does not answer: Redis's errors when it is
    Redis (`CACHE_URL`), none for the in-process cache. Asked only once an error is raised
    (an `except` clause), so a web worker without Redis never imports the redis client
    (docs/performance.md, worker memory)."""
    if not isinstance(caches["default"], RedisCache):
        return ()
    from redis.exceptions import RedisError

    return (RedisError,)


def throttle_cache_unavailable(exc: Exception) -> bool:
    """A throttle whose cache (Redis, `CACHE_URL`) does not answer lets the request through:
    the API stays up unthrottled, and says so in the log, rather than answering 500."""
    logger.warning("Throttle cache unavailable, request not throttled: %s", exc)
    return True


class AnonymousThrottle(AnonRateThrottle):
    """Per-IP throttle whose rate is read from settings at request time (tests change it).

    A fixed window: one cache counter per client and window, one increment per request.
    (DRF's default keeps every request's time in one cache entry and rewrites it on each
    request, a cost that grows with the allowed rate.)
    """

    def get_rate(self) -> str | None:
        return settings.API_ANON_THROTTLE_RATE

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends_at = (window + 1) * self.duration
        counter = f"{key}:{window}"
        try:
            count = self._count(counter)
        except throttle_cache_errors() as exc:
            return throttle_cache_unavailable(exc)
        return count <= self.num_requests

    def _count(self, counter: str) -> int:
        """Count one more request in `counter`. The window's counter nearly always exists,
        so it is incremented first: one cache operation (two Redis commands) per request,
        and the window's first request adds it."""
        try:
            return self.cache.incr(counter)
        except ValueError:  # the window's first request (or its counter expired)
            if self.cache.add(counter, 1, self.duration + 1):
                return 1
            try:
                return self.cache.incr(counter)  # another worker added it meanwhile
            except ValueError:  # and it expired at once
                self.cache.set(counter, 1, self.duration + 1)
                return 1

    def wait(self) -> float:
        return max(self.window_ends_at - self.now, 0.0)
