"""Shared fixtures: personas, clients and test settings.

Personas:
- `editor`: in the Editor group; may do everything to content, including publish.
- `writer`: in the Writer group; writes drafts and submits them, may never publish.
- `outsider`: a user with no role; may do nothing.
"""

from __future__ import annotations

import os

import pytest
from django.contrib.auth.models import Group, User

from articles.roles import roles_sync


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Keep uploads of every test in a temporary folder; plain http for the test client."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SECURE_SSL_REDIRECT = False
    # Personas log in with real passwords; a fast hasher keeps each one from costing 0.5 s.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _user_in_group(username: str, group_name: str | None) -> User:
    user = User.objects.create_user(
        username=username, password="correct horse battery staple", is_staff=True
    )
    if group_name:
        ensure_roles()
        user.groups.add(Group.objects.get(name=group_name))
    return user


def ensure_roles() -> None:
    """The Writer and Editor groups (`articles.roles`), unless they exist.

    A transactional test (the races, `tests/concurrency.py`) ends with a flush, which also
    removes the rows data migrations made; the next test, or the next `--reuse-db` run,
    would find no roles.
    """
    if Group.objects.filter(name__in=["Writer", "Editor"]).count() < 2:
        roles_sync()


@pytest.fixture
def roles(db) -> None:
    """The Writer and Editor groups, also after a transactional test's flush."""
    ensure_roles()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_roles()


@pytest.fixture
def editor(db) -> User:
    return _user_in_group("edna.editor", "Editor")


@pytest.fixture
def writer(db) -> User:
    return _user_in_group("wira.writer", "Writer")


@pytest.fixture
def outsider(db) -> User:
    return _user_in_group("otto.outsider", None)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def writer_client(client, writer):
    client.force_login(writer)
    return client


# --- CI: fail loudly when a service the run needs is unreachable --------------------------
# Without these checks every database test would error one by one, and a missing service
# could pass for a "skipped" leg. In CI the run stops at once with one clear message instead.


def pytest_sessionstart(session):
    """In CI, stop the run if `DATABASE_URL` names a PostgreSQL server that does not answer."""
    url = os.environ.get("DATABASE_URL", "")
    if os.environ.get("CI") and url.startswith(("postgres://", "postgresql://", "pgsql://")):
        _require_postgres(url)


def _on_postgresql_in_ci() -> bool:
    url = os.environ.get("DATABASE_URL", "")
    return bool(os.environ.get("CI")) and url.startswith(
        ("postgres://", "postgresql://", "pgsql://")
    )


_skipped_in_ci: list[str] = []


def pytest_runtest_logreport(report):
    """In CI's PostgreSQL leg every service runs, so nothing may be skipped: record skips."""
    if report.skipped and _on_postgresql_in_ci():
        _skipped_in_ci.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    """In CI's PostgreSQL leg, a skipped test fails the run: it proved nothing."""
    if _skipped_in_ci and session.exitstatus == 0:
        listed = "\n  ".join(_skipped_in_ci[:20])
        print(f"\nCI: {len(_skipped_in_ci)} test(s) skipped on PostgreSQL:\n  {listed}")
        session.exitstatus = 1


def pytest_collection_finish(session):
    """In CI, stop the run if tests marked `worker` are selected and Redis does not answer."""
    if os.environ.get("CI") and any(item.get_closest_marker("worker") for item in session.items):
        _require_redis(os.environ.get("CELERY_BROKER_URL", ""))


def _require_postgres(url: str) -> None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    where = f"{config['HOST'] or 'localhost'}:{config['PORT'] or 5432}"
    try:
        # The maintenance database: the test database does not exist yet at this point.
        psycopg.connect(
            host=config["HOST"] or None,
            port=config["PORT"] or None,
            user=config["USER"] or None,
            password=config["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=5,
        ).close()
    except psycopg.Error as exc:
        pytest.exit(f"CI: PostgreSQL at {where} (DATABASE_URL) is unreachable: {exc}", 3)


def _require_redis(url: str) -> None:
    import redis

    if not url.startswith(("redis://", "rediss://")):
        message = f"CI: tests marked 'worker' need CELERY_BROKER_URL=redis://..., not {url!r}"
        pytest.exit(message, 3)
    try:
        redis.Redis.from_url(url, socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        pytest.exit(f"CI: Redis at {url} (CELERY_BROKER_URL) is unreachable: {exc}", 3)
