"""E6 with a shared cache: throttle counters in Redis (`CACHE_URL`), and an API that stays up
when that Redis does not answer.

The tests marked `worker` need the real Redis of `make test-worker` (CELERY_BROKER_URL); they
fail, not skip, when it is missing (tests/conftest.py).
"""

from __future__ import annotations

import logging
import os

import pytest
import redis
from django.test import override_settings

from tests.support.api import ARTICLES_URL, error_of, token_client

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: every cache call fails at once with a connection error.
UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


def test_e6_an_unreachable_throttle_cache_lets_reads_through_and_logs_it(
    api_client, settings, caplog
):
    settings.API_ANON_THROTTLE_RATE = "1/min"
    with override_settings(CACHES=UNREACHABLE_REDIS), caplog.at_level(logging.WARNING):
        statuses = [api_client.get("/api/v1/articles/").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert "Throttle cache unavailable" in caplog.text


def test_e6_an_unreachable_throttle_cache_does_not_turn_a_bad_write_into_a_500(
    writer, settings, caplog
):
    settings.API_WRITE_THROTTLE_RATE = "1/min"
    client = token_client(writer)
    with override_settings(CACHES=UNREACHABLE_REDIS), caplog.at_level(logging.WARNING):
        response = client.post(ARTICLES_URL, {"headline": ""}, format="json")
    assert error_of(response, 400)["field"] == "headline"
    assert "Throttle cache unavailable" in caplog.text


@pytest.mark.worker
def test_e6_with_cache_url_every_worker_counts_in_redis(api_client, settings):
    url = os.environ.get("CELERY_BROKER_URL", "")
    shared = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "newsroom-test-throttle",
        }
    }
    settings.API_ANON_THROTTLE_RATE = "2/min"
    raw = redis.Redis.from_url(url)
    raw.delete(*raw.keys("newsroom-test-throttle:*") or ["-"])

    with override_settings(CACHES=shared):
        statuses = [api_client.get("/api/v1/articles/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    # The count lives in Redis, where every gunicorn worker reads and increments it.
    (counter,) = raw.keys("newsroom-test-throttle:*")
    assert int(raw.get(counter)) == 3
    raw.delete(counter)


class RacingCache:
    """A cache where another worker adds the window's counter between our incr and add."""

    def __init__(self):
        self.counts: dict[str, int] = {}
        self.operations: list[str] = []

    def incr(self, key):
        self.operations.append("incr")
        if key not in self.counts:
            if self.operations.count("incr") == 1:
                self.counts[key] = 1  # the other worker's first request lands now
            raise ValueError(key)
        self.counts[key] += 1
        return self.counts[key]

    def add(self, key, value, timeout):
        self.operations.append("add")
        if key in self.counts:
            return False
        self.counts[key] = value
        return True


def test_the_throttle_counts_with_one_cache_operation_and_survives_a_racing_first_request():
    from newsroom.api.throttles import AnonymousThrottle

    throttle = AnonymousThrottle()
    throttle.cache = RacingCache()

    # The window's first request here finds the counter another worker just added.
    assert throttle._count("client:1") == 2
    assert throttle.cache.operations == ["incr", "add", "incr"]
    throttle.cache.operations.clear()
    assert [throttle._count("client:1") for _ in range(3)] == [3, 4, 5]
    assert throttle.cache.operations == ["incr"] * 3
