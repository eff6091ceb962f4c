"""Read replica settings and routing without a replica (the replicas themselves:
tests/replicas/, `make test-replica`)."""

from __future__ import annotations

import json

import pytest

from articles.models import Article
from newsroom import replicas
from newsroom.http.replicas import PIN_COOKIE
from tests.support.processes import run

PRINT_DATABASES = (
    "import json; from django.conf import settings; "
    "print(json.dumps(settings.DATABASES, default=str))"
)


def databases(**env: str):
    return run(["-c", PRINT_DATABASES], env={"DJANGO_SETTINGS_MODULE": "newsroom.settings", **env})


def test_each_replica_url_is_a_mirror_of_the_primary():
    result = databases(
        DATABASE_URL="postgres://newsroom@primary:5432/newsroom",
        DATABASE_REPLICA_URLS="postgres://newsroom@r1:5432/newsroom, postgres://newsroom@r2:6432/newsroom",
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert list(found) == ["default", "replica_0", "replica_1"]
    assert [found[alias]["HOST"] for alias in found] == ["primary", "r1", "r2"]
    for alias in ("replica_0", "replica_1"):
        assert found[alias]["ENGINE"] == "newsroom.postgresql"
        assert found[alias]["TEST"] == {"MIRROR": "default"}
        assert found[alias]["OPTIONS"]["connect_timeout"] == 2


def test_without_replicas_there_is_only_the_primary():
    result = databases()
    assert result.returncode == 0, result.stderr
    assert list(json.loads(result.stdout)) == ["default"]


def test_a_replica_url_that_is_not_postgresql_is_refused():
    result = databases(DATABASE_REPLICA_URLS="sqlite:///replica.sqlite3")
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URLS must be postgres:// URLs" in result.stderr


def test_the_router_reads_the_routed_replica_until_the_request_writes():
    router = replicas.ReplicaRouter()
    assert router.db_for_read(Article) is None  # outside a routed request: Django's choice
    assert router.db_for_write(Article) == "default"

    route = replicas.ReadRoute("replica_0")
    token = replicas.current_route.set(route)
    try:
        assert router.db_for_read(Article) == "replica_0"
        assert router.db_for_write(Article) == "default"
        assert router.db_for_read(Article) == "default"  # read your own write
    finally:
        replicas.current_route.reset(token)
    assert router.allow_migrate("default", "articles") is True
    assert router.allow_migrate("replica_0", "articles") is False


@pytest.mark.django_db
def test_without_replicas_a_write_sets_no_pin_cookie(editor_client):
    response = editor_client.post("/admin/logout/")
    assert response.status_code < 400
    assert PIN_COOKIE not in response.cookies
