"""Every shared fixture of the suite: personas, clients, content, captured tasks, webhook
receivers and test settings. Helpers that are not fixtures are in `tests/support/`.

Personas:
- `editor`: in the Editor group; may do everything to content, including publish.
- `writer`: in the Writer group; writes drafts and submits them, may never publish.
- `other_writer`: another writer; `writer`'s drafts do not exist for them (404).
- `outsider`: a user with no role; may do nothing.
- `deactivated`: a writer whose account was switched off; their token answers 401.
"""

from __future__ import annotations

import os
import socket

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from rest_framework.test import APIClient

from articles.models import Article
from articles.roles import roles_sync
from articles.services import article_revision_record
from newsroom.accounts.services import api_token_create
from tests.support.api import token_client
from tests.support.factories import ArticleFactory, AuthorFactory, SectionFactory
from tests.support.webhooks import Receiver


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


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """Throttle counters live in the cache; every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


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

    A transactional test (the races, `tests/support/concurrency.py`) ends with a flush, which also
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


@pytest.fixture
def other_writer(db) -> User:
    return _user_in_group("wulan.writer", "Writer")


@pytest.fixture
def deactivated(db) -> User:
    user = _user_in_group("dodi.gone", "Writer")
    api_token_create(user=user, name="before leaving")
    user.is_active = False
    user.save()
    return user


@pytest.fixture
def api_client() -> APIClient:
    """An anonymous API client, as a front end is."""
    return APIClient()


@pytest.fixture
def manage_clients(editor, writer, other_writer, outsider, deactivated) -> dict[str, APIClient]:
    """A token client per persona of the write API's permission matrix."""
    return {
        "anonymous": token_client(None),
        "writer": token_client(writer),
        "other_writer": token_client(other_writer),
        "editor": token_client(editor),
        "outsider": token_client(outsider),
        "deactivated": token_client(deactivated),
    }


# --- Content ------------------------------------------------------------------------------


@pytest.fixture
def section(db):
    return SectionFactory(name="Daerah", slug="daerah")


@pytest.fixture
def author(db):
    return AuthorFactory(name="Siti Rahma", slug="siti-rahma")


@pytest.fixture
def draft(writer, section, author) -> Article:
    """A draft created by `writer`, at version 1."""
    article = ArticleFactory(
        headline="Banjir rendam Bandung",
        slug="banjir-rendam-bandung",
        section=section,
        authors=[author],
        created_by=writer,
    )
    # As `article_create` leaves it: revision 1 holds version 1.
    article_revision_record(article=article, user=writer, bump=False)
    return article


# --- Background work ----------------------------------------------------------------------

# The tasks `sent_tasks` records (by their function's name); others are sent as usual.
RECORDED_TASKS = frozenset(
    {
        "photo_renditions_generate_task",
        "article_ensure_slug_task",
        "webhook_delivery_attempt_task",
        "articles_publish_due_task",
        "published_fanout_tag_task",
        "published_fanout_tag_merge_task",
        "published_fanout_author_task",
        "published_fanout_section_task",
        "published_fanout_photo_task",
        "published_fanout_links_task",
        "cache_purge_task",
    }
)


@pytest.fixture
def sent_tasks(monkeypatch):
    """Record `.delay`/`.apply_async` of the `RECORDED_TASKS` as (name, args) instead of
    sending them."""
    from celery.app.task import Task

    sent: list[tuple[str, tuple]] = []
    send = Task.apply_async

    def apply_async(task, args=(), kwargs=None, **options):
        name = task.name.rsplit(".", 1)[-1]
        if name not in RECORDED_TASKS:
            return send(task, args, kwargs, **options)
        sent.append((name, tuple(args or ())))
        return None

    monkeypatch.setattr(Task, "apply_async", apply_async)
    monkeypatch.setattr(Task, "delay", lambda task, *args, **kwargs: task.apply_async(args))
    return sent


# --- Webhooks -----------------------------------------------------------------------------


@pytest.fixture
def fake_dns(monkeypatch):
    """Answer look-ups from a table; anything else does not resolve."""
    table = {
        "hooks.example.org": "93.184.215.14",
        "metadata.google.internal": "169.254.169.254",
        "rebound.example.org": "10.0.0.5",
    }

    def getaddrinfo(host, port, *args, **kwargs):
        address = table.get(host, host)
        try:
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            socket.inet_pton(family, address)
        except OSError as exc:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from exc
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr("articles.published.webhook_urls.socket.getaddrinfo", getaddrinfo)
    return table


@pytest.fixture
def receiver(request, settings):
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    answers = getattr(request, "param", [])
    server = Receiver(answers)
    yield server
    server.close()


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
