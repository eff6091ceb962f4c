"""Read replicas on a real PostgreSQL primary and streaming replica (tests/replicas/conftest.py).

The public reads go to the replica, everything else to the primary; a client that has just
written reads the primary; a replica that lags or is down is skipped, never an error; and the
304 cache, told of changes by the primary, never keeps an answer the replica gave before it had
replayed the change (replay paused with `pg_wal_replay_pause()`).
"""

from __future__ import annotations

import select
import threading

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections, transaction
from django.test import Client, RequestFactory

from articles.published import cache
from newsroom import replicas
from newsroom.http.not_modified import ChangeListener, NotModifiedCache
from newsroom.http.replicas import PIN_COOKIE
from tests.support.api import token_client
from tests.support.factories import ArticleFactory

pytestmark = [
    pytest.mark.replica,
    pytest.mark.django_db(transaction=True, databases=["default", "replica_0"]),
]


@pytest.fixture(autouse=True)
def _fresh_health(settings):
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 5
    settings.DATABASE_REPLICA_CHECK_SECONDS = 1
    replicas.health.forget()
    yield
    replicas.health.forget()


@pytest.fixture
def published(replicated_cluster):
    """A published article, replayed by the replica."""
    article = ArticleFactory(published=True)
    replicated_cluster.wait_until_replayed()
    return article


def queries_per_database(callable_):
    """What `callable_` returns, and how many queries it ran on the primary and the replica
    (counted without connecting, as the replica may be down)."""
    counts = {"default": 0, "replica_0": 0}

    def counter(alias):
        def count(execute, sql, params, many, context):
            counts[alias] += 1
            return execute(sql, params, many, context)

        return count

    with (
        connections["default"].execute_wrapper(counter("default")),
        connections["replica_0"].execute_wrapper(counter("replica_0")),
    ):
        result = callable_()
    return result, counts["default"], counts["replica_0"]


def api_url(article) -> str:
    return f"/api/v1/articles/{article.slug}/"


def test_public_reads_go_to_the_replica(published):
    client = Client()
    for url in (api_url(published), "/api/v1/articles/", "/feeds/latest/rss/", "/sitemap.xml"):
        response, on_primary, on_replica = queries_per_database(lambda url=url: client.get(url))
        assert response.status_code == 200, (url, response.content[:300])
        assert on_primary == 0, url
        assert on_replica > 0, url


def test_a_search_reads_the_replica_without_prepared_statements(replicated_cluster):
    """Search statements, `q` alone (read in SQL) or with a filter (the ORM's), run on the
    replica and are not prepared there (views.planned_per_query)."""
    article = ArticleFactory(published=True, headline="Banjir di Garut")
    replicated_cluster.wait_until_replayed()
    client = Client()
    replica = connections["replica_0"]
    thresholds = []

    def seen(execute, sql, params, many, context):
        if "websearch_to_tsquery" in sql:  # not the replica's health check
            thresholds.append(replica.connection.prepare_threshold)
        return execute(sql, params, many, context)

    for url in ("/api/v1/search/?q=banjir", "/api/v1/search/?q=banjir&language=id"):
        thresholds.clear()
        with replica.execute_wrapper(seen):
            response, on_primary, on_replica = queries_per_database(lambda url=url: client.get(url))
        assert response.status_code == 200, response.content
        assert [item["slug"] for item in response.json()["results"]] == [article.slug]
        assert on_primary == 0, url
        assert on_replica >= 2, url
        assert thresholds == [None, None], url
    assert replica.connection.prepare_threshold is not None


def test_the_write_api_and_the_admin_read_the_primary(published, django_user_model):
    editor = django_user_model.objects.create_superuser("redaktur", password="x")
    api = token_client(editor)
    response, on_primary, on_replica = queries_per_database(
        lambda: api.get(f"/api/v1/manage/articles/{published.pk}/")
    )
    assert response.status_code == 200
    assert (on_primary > 0, on_replica) == (True, 0)

    admin = Client()
    admin.force_login(editor)
    response, on_primary, on_replica = queries_per_database(
        lambda: admin.get(f"/admin/articles/article/{published.pk}/change/")
    )
    assert response.status_code == 200
    assert (on_primary > 0, on_replica) == (True, 0)


def test_after_a_write_the_client_reads_its_own_write_from_the_primary(
    published, replicated_cluster, django_user_model, settings
):
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 3600  # the paused replica stays in use
    editor = django_user_model.objects.create_superuser("redaktur", password="x")
    api = token_client(editor)
    url = f"/api/v1/manage/articles/{published.pk}/"
    etag = api.get(url)["ETag"]
    replicated_cluster.replica_sql("SELECT pg_wal_replay_pause()")
    try:
        response = api.patch(url, {"headline": "Koreksi"}, format="json", HTTP_IF_MATCH=etag)
        assert response.status_code == 200, response.content[:300]
        pin = response.cookies[PIN_COOKIE]
        assert int(pin["max-age"]) == settings.DATABASE_REPLICA_PIN_SECONDS

        api.cookies[PIN_COOKIE] = pin.value
        assert api.get(api_url(published)).json()["headline"] == "Koreksi"
        # Another reader is served by the replica, which has not replayed the correction yet.
        assert Client().get(api_url(published)).json()["headline"] != "Koreksi"
    finally:
        replicated_cluster.replica_sql("SELECT pg_wal_replay_resume()")
    replicated_cluster.wait_until_replayed()
    replicas.health.forget()
    assert Client().get(api_url(published)).json()["headline"] == "Koreksi"


def test_a_replica_lagging_past_the_limit_is_skipped(published, replicated_cluster, settings):
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 0
    replicated_cluster.replica_sql("SELECT pg_wal_replay_pause()")
    try:
        published.headline = "Koreksi"
        published.save()
        replicated_cluster.wait_until_received()
        response, on_primary, on_replica = queries_per_database(
            lambda: Client().get(api_url(published))
        )
        assert response.json()["headline"] == "Koreksi"
        assert on_primary > 0
        assert on_replica == 1  # the lag check only
    finally:
        replicated_cluster.replica_sql("SELECT pg_wal_replay_resume()")


def test_a_replica_that_is_down_is_skipped_never_an_error(published, replicated_cluster, settings):
    settings.DATABASE_REPLICA_CHECK_SECONDS = 3600
    client = Client()
    assert queries_per_database(lambda: client.get(api_url(published)))[2] > 0
    replicated_cluster.replica.stop("immediate")
    try:
        # Checked a moment ago: the request reads the replica, fails, and is answered again
        # from the primary.
        response = client.get(api_url(published))
        assert response.status_code == 200
        assert response.json()["headline"] == published.headline
        # From now on the replica is known to be down: the primary, at once.
        response, on_primary, on_replica = queries_per_database(
            lambda: client.get(api_url(published))
        )
        assert response.status_code == 200
        assert (on_primary > 0, on_replica) == (True, 0)
        replicas.health.forget()  # a new check: the replica does not answer
        assert client.get(api_url(published)).status_code == 200
    finally:
        replicated_cluster.replica.start()
        replicated_cluster.wait_until_streaming()


def call(app, path: str, **headers) -> tuple[str, dict[str, str], bytes]:
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = status
        answer["headers"] = dict(response_headers)

    body = app(RequestFactory().get(path, headers=headers).environ, start_response)
    content = b"".join(body)
    if hasattr(body, "close"):
        body.close()
    return answer["status"], answer["headers"], content


class CountingHandler(WSGIHandler):
    calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return super().__call__(environ, start_response)


def test_an_invalidation_before_the_replica_replayed_the_change_leaves_no_stale_304(
    published, replicated_cluster, settings
):
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 3600  # the paused replica stays in use
    django_app = CountingHandler()
    listener = ChangeListener()  # on the primary: a standby delivers no NOTIFY
    app = NotModifiedCache(django_app, listener)
    url = api_url(published)
    try:
        etag = call(app, url)[1]["ETag"]
        assert call(app, url, if_none_match=etag)[0] == "304 Not Modified"
        calls = django_app.calls
        assert call(app, url, if_none_match=etag)[0] == "304 Not Modified"
        assert django_app.calls == calls  # kept: read from a replica that was up to date

        replicated_cluster.replica_sql("SELECT pg_wal_replay_pause()")
        try:
            published.headline = "Koreksi: jembatan dibuka Senin"
            published.save()
            readable, _, _ = select.select([listener.connection.fileno()], [], [], 5)
            assert readable, "no notification within 5 s"

            # The invalidation arrived; the replica has not replayed the correction, so it
            # still answers 304 to the old ETag, but that answer is not kept.
            for _ in range(2):
                calls = django_app.calls
                assert call(app, url, if_none_match=etag)[0] == "304 Not Modified"
                assert django_app.calls == calls + 1
        finally:
            replicated_cluster.replica_sql("SELECT pg_wal_replay_resume()")
        replicated_cluster.wait_until_replayed()

        status, headers, body = call(app, url, if_none_match=etag)
        assert status == "200 OK"
        assert "Koreksi: jembatan dibuka Senin" in body.decode()
        new_etag = headers["ETag"]
        assert call(app, url, if_none_match=new_etag)[0] == "304 Not Modified"
        calls = django_app.calls
        assert call(app, url, if_none_match=new_etag)[0] == "304 Not Modified"
        assert django_app.calls == calls  # caught up: kept again
    finally:
        listener.close()


def test_a_cache_purge_waits_until_the_replica_replayed_the_change(
    published, replicated_cluster, settings, monkeypatch
):
    """The cache fetches a purged answer again at once, from a node that may read the replica:
    the purge goes out only once the replica has the change, or it would keep the old one."""
    settings.HTTP_CACHE_PURGE_BACKEND = "varnish"
    settings.HTTP_CACHE_PURGE_VARNISH_URLS = ["http://127.0.0.1:9/"]
    sent = []

    def send(tags):
        headline = replicated_cluster.replica_sql(
            f"SELECT headline FROM articles_article WHERE id = {int(published.pk)}",  # noqa: S608
            database=connections["default"].settings_dict["NAME"],
        )[0]
        sent.append((tags, headline))

    monkeypatch.setattr(cache, "cache_purge_send", send)
    replicated_cluster.replica_sql("SELECT pg_wal_replay_pause()")
    resume = threading.Timer(
        0.5, replicated_cluster.replica_sql, args=["SELECT pg_wal_replay_resume()"]
    )
    try:
        with transaction.atomic():
            published.headline = "Koreksi"
            published.save()
            ids = cache.cache_purge_request(tags=[cache.cache_tag("article", published.pk)])
        replicated_cluster.wait_until_received()
        resume.start()
        assert cache.cache_purge_run(object_ids=ids) == 1
    finally:
        resume.join()
        replicated_cluster.replica_sql("SELECT pg_wal_replay_resume()")
    assert sent == [([f"article-{published.pk}"], "Koreksi")]


def test_a_cache_purge_does_not_wait_for_a_replica_that_is_down(
    published, replicated_cluster, settings, monkeypatch
):
    settings.HTTP_CACHE_PURGE_BACKEND = "varnish"
    settings.HTTP_CACHE_PURGE_VARNISH_URLS = ["http://127.0.0.1:9/"]
    sent = []
    monkeypatch.setattr(cache, "cache_purge_send", sent.append)
    replicated_cluster.replica.stop("immediate")
    try:
        ids = cache.cache_purge_request(tags=[cache.cache_tag("article", published.pk)])
        assert replicas.replicas_wait_until_caught_up() == []
        assert cache.cache_purge_run(object_ids=ids) == 1
    finally:
        replicated_cluster.replica.start()
        replicated_cluster.wait_until_streaming()
    assert sent == [[f"article-{published.pk}"]]


def test_a_replica_that_cannot_be_connected_to_is_skipped_never_an_error(
    published, replicated_cluster, settings
):
    """The replica went away while the process had no connection to it (closed after
    DATABASE_CONN_MAX_AGE, or by a failed health check): connecting fails before any query."""
    settings.DATABASE_REPLICA_CHECK_SECONDS = 3600
    client = Client()
    assert queries_per_database(lambda: client.get(api_url(published)))[2] > 0
    connections["replica_0"].close()
    replicated_cluster.replica.stop("immediate")
    try:
        response = client.get(api_url(published))
        assert response.status_code == 200
        assert response.json()["headline"] == published.headline
    finally:
        replicated_cluster.replica.start()
        replicated_cluster.wait_until_streaming()
