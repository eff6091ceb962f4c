"""Repeated revalidations of an article answered before Django (newsroom/not_modified.py).

The WSGI middleware is called as gunicorn calls it, around Django's real WSGI handler. The
first tests drive it with a stand-in for the PostgreSQL change listener, on either database;
the last ones run against PostgreSQL's own trigger and LISTEN/NOTIFY.
"""

from __future__ import annotations

import select

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import RequestFactory

from articles.published.models import PublishedArticle
from articles.services import article_unpublish
from newsroom.http import not_modified
from newsroom.http.not_modified import ChangeListener, NotModifiedCache, keepable
from tests.support.factories import ArticleFactory

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's"
)


class StandInListener:
    """What `ChangeListener.changes()` answers, set by the test."""

    def __init__(self):
        self.count = 0

    def changes(self):
        return self.count


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    # Django's handler closes a connection left in a transaction at each request's start and
    # end; the test client does not, and neither may this, or the test's transaction is lost.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def call(app, path: str, **headers) -> tuple[str, dict[str, str], bytes]:
    """`app` called as a WSGI server calls it: status, headers and body."""
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = status
        answer["headers"] = dict(response_headers)

    body = app(RequestFactory().get(path, headers=headers).environ, start_response)
    try:
        content = b"".join(body)
    finally:
        if hasattr(body, "close"):
            body.close()
    return answer["status"], answer["headers"], content


@pytest.fixture
def listener():
    return StandInListener()


class CountingHandler(WSGIHandler):
    """Django's WSGI handler, counting the requests it answers."""

    calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return super().__call__(environ, start_response)


@pytest.fixture
def django_app():
    return CountingHandler()


@pytest.fixture
def app(django_app, listener):
    return NotModifiedCache(django_app, listener)


@pytest.fixture
def article_url_and_etag(app):
    article = ArticleFactory(published=True)
    url = f"/api/v1/articles/{article.slug}/"
    _, headers, _ = call(app, url)
    return url, headers["ETag"]


def test_a_repeated_revalidation_gets_djangos_304_again_without_django(
    app, article_url_and_etag, django_assert_num_queries
):
    url, etag = article_url_and_etag
    with django_assert_num_queries(1):  # Django looks the ETag up
        status, first, body = call(app, url, if_none_match=etag, x_request_id="proxy-1")
    assert status == "304 Not Modified"
    assert body == b""

    with django_assert_num_queries(0):
        status, again, body = call(app, url, if_none_match=etag, x_request_id="proxy-2")

    assert status == "304 Not Modified"
    assert body == b""
    assert first["X-Request-ID"] == "proxy-1"
    assert again["X-Request-ID"] == "proxy-2"
    assert {**again, "X-Request-ID": "proxy-1"} == first
    assert first["ETag"] == etag
    assert first["Cache-Control"] == "public, max-age=60, stale-while-revalidate=300"
    # Without a safe id of its own, each answer gets a new one.
    _, one, _ = call(app, url, if_none_match=etag, x_request_id="not safe!")
    _, other, _ = call(app, url, if_none_match=etag)
    assert len({one["X-Request-ID"], other["X-Request-ID"], "not safe!"}) == 3


def test_a_change_drops_every_kept_answer(
    app, listener, article_url_and_etag, django_assert_num_queries
):
    url, etag = article_url_and_etag
    call(app, url, if_none_match=etag)

    listener.count += 1

    with django_assert_num_queries(1):
        assert call(app, url, if_none_match=etag)[0] == "304 Not Modified"
    with django_assert_num_queries(0):
        assert call(app, url, if_none_match=etag)[0] == "304 Not Modified"


def test_without_a_listener_every_revalidation_goes_to_django(
    app, listener, article_url_and_etag, django_assert_num_queries
):
    url, etag = article_url_and_etag
    call(app, url, if_none_match=etag)

    listener.count = None  # lost: whether anything changed cannot be known

    for _ in range(2):
        with django_assert_num_queries(1):
            assert call(app, url, if_none_match=etag)[0] == "304 Not Modified"


@pytest.mark.parametrize(
    "headers",
    [
        {"if_none_match": '"another"'},
        {"origin": "https://example.org"},
        {"accept": "application/xml"},
        {"host": "localhost"},
        {"x_forwarded_proto": "https"},
        {"authorization": "Token abc"},
        {"if_match": '"v1"'},
    ],
)
def test_a_request_that_differs_goes_to_django(app, django_app, article_url_and_etag, headers):
    url, etag = article_url_and_etag
    call(app, url, if_none_match=etag)
    calls = django_app.calls

    answer = call(app, url, **{"if_none_match": etag, **headers})

    assert django_app.calls == calls + 1
    assert answer[0] == call(WSGIHandler(), url, **{"if_none_match": etag, **headers})[0]


def test_a_bad_host_is_refused_by_django_even_after_a_kept_answer(app, article_url_and_etag):
    url, etag = article_url_and_etag
    call(app, url, if_none_match=etag)

    status, _, _ = call(app, url, if_none_match=etag, host="evil.example")

    assert status.startswith("400")


def test_only_304s_the_view_marks_are_kept(app, django_assert_num_queries):
    ArticleFactory(published=True)
    list_etag = call(app, "/api/v1/articles/")[1]["ETag"]

    for _ in range(2):
        with django_assert_num_queries(1):
            status, _, _ = call(app, "/api/v1/articles/", if_none_match=list_etag)
        assert status == "304 Not Modified"


def test_an_unknown_article_is_404_every_time(app, django_assert_num_queries):
    for _ in range(2):
        status, _, _ = call(app, "/api/v1/articles/no-such-article/", if_none_match='"x"')
        assert status.startswith("404")


@pytest.mark.parametrize(
    ("headers", "kept"),
    [
        ([("ETag", '"a"'), ("Vary", "Accept, Origin")], True),
        ([("ETag", '"a"'), ("Vary", "Cookie")], False),
        ([("ETag", '"a"'), ("Set-Cookie", "csrftoken=x")], False),
    ],
)
def test_an_answer_that_depends_on_cookies_is_not_kept(headers, kept):
    assert keepable("304 Not Modified", headers) is kept
    assert keepable("200 OK", headers) is False


def test_wrap_leaves_django_alone_when_off_or_without_postgresql(settings):
    django_app = WSGIHandler()
    settings.NOT_MODIFIED_CACHE = False
    assert NotModifiedCache.wrap(django_app) is django_app

    settings.NOT_MODIFIED_CACHE = True
    wrapped = NotModifiedCache.wrap(django_app)
    assert (wrapped is django_app) is (connection.vendor != "postgresql")


# --- PostgreSQL: the trigger, LISTEN and NOTIFY ------------------------------------------


@pytest.fixture
def listening_app():
    listener = ChangeListener()
    yield NotModifiedCache(WSGIHandler(), listener), listener
    listener.close()


def revalidated_article(app):
    """A published article, its URL and ETag, revalidated once: Django's 304 is kept."""
    article = ArticleFactory(published=True)
    url = f"/api/v1/articles/{article.slug}/"
    etag = call(app, url)[1]["ETag"]
    assert call(app, url, if_none_match=etag)[0] == "304 Not Modified"
    return article, url, etag


def wait_for_notification(listener: ChangeListener) -> None:
    """PostgreSQL sends NOTIFY at commit, to arrive a moment later; the test waits for it
    rather than racing it."""
    readable, _, _ = select.select([listener.connection.fileno()], [], [], 5)
    assert readable, "no notification within 5 s"


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_an_edit_or_unpublish_is_never_answered_with_the_old_304(
    listening_app, django_user_model, django_assert_num_queries
):
    # A superuser: the editors' group is migration data, which transactional tests flush.
    editor = django_user_model.objects.create_superuser("redaktur", password="x")
    app, listener = listening_app
    article, url, etag = revalidated_article(app)
    with django_assert_num_queries(0):
        assert call(app, url, if_none_match=etag)[0] == "304 Not Modified"

    article.headline = "Koreksi: jembatan dibuka Senin"
    article.save()  # republished: the published row is rewritten
    wait_for_notification(listener)

    status, headers, body = call(app, url, if_none_match=etag)
    assert status == "200 OK"
    assert headers["ETag"] != etag
    assert "Koreksi: jembatan dibuka Senin" in body.decode()

    new_etag = headers["ETag"]
    call(app, url, if_none_match=new_etag)
    assert call(app, url, if_none_match=new_etag)[0] == "304 Not Modified"
    article_unpublish(article=article, user=editor)
    wait_for_notification(listener)

    assert call(app, url, if_none_match=new_etag)[0].startswith("404")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_any_write_to_the_published_table_notifies(listening_app, django_assert_num_queries):
    app, listener = listening_app
    article, url, etag = revalidated_article(app)

    # Not through the publish door: a bulk update, as a repair script might run.
    PublishedArticle.objects.filter(article=article).update(etag="changed-by-hand")
    wait_for_notification(listener)

    status, headers, _ = call(app, url, if_none_match=etag)
    assert status == "200 OK"
    assert headers["ETag"] == '"changed-by-hand"'


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_lost_listener_sends_revalidations_to_django_until_it_is_back(
    listening_app, monkeypatch, django_assert_num_queries
):
    app, listener = listening_app
    article, url, etag = revalidated_article(app)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [listener.connection.info.backend_pid])
    wait_for_notification(listener)  # the server's notice that it closes the connection

    with django_assert_num_queries(1):
        assert call(app, url, if_none_match=etag)[0] == "304 Not Modified"
    assert listener.connection is None
    with django_assert_num_queries(1):  # not reconnected yet: still Django
        assert call(app, url, if_none_match=etag)[0] == "304 Not Modified"

    monkeypatch.setattr(listener, "retry_at", 0.0)
    call(app, url, if_none_match=etag)  # reconnected; Django answers, the answer is kept
    assert listener.connection is not None
    with django_assert_num_queries(0):
        assert call(app, url, if_none_match=etag)[0] == "304 Not Modified"


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_listener_that_no_longer_listens_is_dropped(listening_app, monkeypatch):
    app, listener = listening_app
    article, url, etag = revalidated_article(app)
    # As if a pooler in transaction mode had moved the session: the LISTEN is gone.
    listener.connection.execute("UNLISTEN *")
    monkeypatch.setattr(not_modified, "CHECK_EVERY_SECONDS", 0.0)

    assert listener.changes() is None
    assert listener.connection is None


def test_kept_answers_are_bounded_by_entries_and_bytes_oldest_out_first(listener):
    cache = NotModifiedCache(lambda environ, start_response: [], listener)
    cache.max_entries, cache.max_bytes = 3, 1_000
    headers = [("ETag", '"abc"')]

    for n in range(5):
        cache.keep((f"/api/v1/articles/a{n}/",), headers)

    assert list(cache.entries) == [(f"/api/v1/articles/a{n}/",) for n in (2, 3, 4)]
    assert cache.size == sum(size for _headers, size in cache.entries.values())

    cache.keep(("/big/" + "x" * 950,), headers)  # pushes the oldest out by bytes
    assert list(cache.entries) == [("/api/v1/articles/a4/",), ("/big/" + "x" * 950,)]
    assert cache.size <= cache.max_bytes

    cache.keep(("/huge/" + "x" * 2_000,), headers)  # larger than the bound: never kept
    assert ("/huge/" + "x" * 2_000,) not in cache.entries
    assert cache.size <= cache.max_bytes


def test_the_bounds_come_from_settings(settings, listener):
    settings.NOT_MODIFIED_CACHE_MAX_ENTRIES = 7
    settings.NOT_MODIFIED_CACHE_MAX_BYTES = 4_096

    cache = NotModifiedCache(lambda environ, start_response: [], listener)

    assert (cache.max_entries, cache.max_bytes) == (7, 4_096)
