"""The reliability suite (docs/reliability.md, tier U): one test per case, named with its ID.

`assert_db_unchanged()` snapshots the tables a write may touch (the write API's set plus
the outbox tables: jobs, webhook deliveries) around a request that must be refused.
"""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from articles.published.models import WebhookDelivery
from newsroom.jobs.models import BackgroundJob
from tests.articles.api.conftest import deactivated, other_writer  # noqa: F401
from tests.articles.api.manage_helpers import db_state
from tests.jobs.conftest import sent_tasks  # noqa: F401
from tests.jobs.test_webhooks import fake_dns, receiver  # noqa: F401

OUTBOX_MODELS = (BackgroundJob, WebhookDelivery)


def reliability_state() -> dict[str, list[tuple]]:
    state = db_state()
    for model in OUTBOX_MODELS:
        state[model.__name__] = list(model.objects.order_by("pk").values_list())
    return state


@contextmanager
def assert_db_unchanged():
    """`with assert_db_unchanged():` around a request that must change nothing."""
    before = reliability_state()
    yield
    assert reliability_state() == before


def error_of(response, status: int) -> dict:
    """The JSON error envelope of `response`, after checking its status, its content type
    and that the body names the request's `X-Request-ID` (every API error carries it; a
    handler called directly, without the middleware, has neither)."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    if response.has_header("X-Request-ID"):
        assert body["request_id"] == response["X-Request-ID"]
    error = body["error"]
    assert error["code"] and error["message"]
    return error


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()
