"""The replica tests' database: a primary and a streaming replica of their own
(tests/support/pgcluster.py), started once per session. They run on their own
(`make test-replica`, `pytest -m replica`): the whole session's databases are moved there."""

from __future__ import annotations

import pytest
from asgiref.local import Local
from django.conf import settings
from django.db import connections

from newsroom import replicas
from tests.support.pgcluster import ReplicatedCluster

DATABASE_NAME = "newsroom_replicas"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    marked = [item for item in items if item.get_closest_marker("replica")]
    if marked and len(marked) != len(items):
        raise pytest.UsageError(
            "The replica tests move the session's databases to a cluster of their own: run "
            "them on their own (make test-replica, or pytest -m replica)."
        )


@pytest.fixture(scope="session")
def replicated_cluster():
    cluster = ReplicatedCluster()
    try:
        cluster.start()
    except BaseException:
        cluster.stop()
        raise
    yield cluster
    cluster.stop()


def database(server) -> dict:
    return {
        "ENGINE": "newsroom.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": server.port,
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"server_side_binding": True, "prepare_threshold": 5, "connect_timeout": 2},
    }


@pytest.fixture(scope="session")
def django_db_modify_db_settings(replicated_cluster):
    """Django's databases are the cluster's: `default` its primary, `replica_0` its replica,
    as DATABASE_URL and DATABASE_REPLICA_URLS would make them (newsroom/settings/database.py)."""
    for connection in connections.all(initialized_only=True):
        connection.close()
    settings.DATABASES = {
        "default": database(replicated_cluster.primary),
        "replica_0": {**database(replicated_cluster.replica), "TEST": {"MIRROR": "default"}},
    }
    connections.__dict__["settings"] = connections.configure_settings(settings.DATABASES)
    connections._connections = Local(connections.thread_critical)
    replicas.health.forget()
