"""Repeated revalidations of a published article, answered before Django.

Front ends and CDNs revalidate the same popular articles again and again (`If-None-Match`).
Django answers the first such request with 304 after looking the ETag up; `NotModifiedCache`,
a WSGI middleware, keeps that answer and gives it again, header for header, to the same
request for as long as the published article table has not changed: no Django, no database
round trip.

"Has not changed" comes from PostgreSQL. A trigger on the table NOTIFYs `CHANNEL` after every
statement that writes it (migration `articles.0013`), and each server process LISTENs on a
connection of its own. Before answering, the process reads what has arrived on that socket
(no round trip): any notification drops every kept answer. Once a second it also makes a
round trip, to check that the connection is alive and still listening. While there is no
such connection (lost, or not yet back), nothing is kept and every request goes to Django.

Only answers a view marks with `keep_not_modified()` are kept (the article detail), only 304s,
and only for requests alike in everything Django's answer can depend on (`KEY_ENVIRON`).
Kept answers are not counted by the API throttle. With read replicas, a 304 read from a replica
is kept only once that replica has replayed the last change (newsroom/http/replicas.py). With
SQLite, or `NOT_MODIFIED_CACHE` off, the middleware passes every request to Django.

The kept answers are bounded per process by `NOT_MODIFIED_CACHE_MAX_ENTRIES` and by
`NOT_MODIFIED_CACHE_MAX_BYTES` (the request's key and the answer's headers, counted in
characters): past either, the oldest kept answers go first.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import connections

from newsroom.http.middleware import REQUEST_ID_HEADER, request_id_for
from newsroom.http.replicas import replica_caught_up
from newsroom.replicas import replica_aliases

logger = logging.getLogger(__name__)

CHANNEL = "published_article_changed"
KEEP = "newsroom.keep_not_modified"
# Everything of a request that Django's answer to it can depend on: the path and query, what
# Django and the middleware read (host, scheme, proxy headers) and the headers an answer may
# vary on. An answer varying on another header is not kept.
KEY_ENVIRON = (
    "PATH_INFO",
    "QUERY_STRING",
    "SCRIPT_NAME",
    "wsgi.url_scheme",
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_IF_NONE_MATCH",
    "HTTP_ACCEPT",
    "HTTP_ACCEPT_ENCODING",
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_ORIGIN",
)
VARY_KEPT = frozenset({"accept", "accept-encoding", "accept-language", "origin"})
# Preconditions Django weighs before If-None-Match, and credentials: such requests go to Django.
NOT_KEPT_ENVIRON = ("HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE", "HTTP_AUTHORIZATION")
CHECK_EVERY_SECONDS = 1.0
RECONNECT_EVERY_SECONDS = 5.0


def keep_not_modified(request) -> None:
    """Let `NotModifiedCache` give this 304 again, until the published article table changes."""
    request.META[KEEP] = True


class ChangeListener:
    """A PostgreSQL connection LISTENing on `CHANNEL`; `changes()` counts what it has seen."""

    def __init__(self, alias: str = "default"):
        self.alias = alias
        self.connection = None
        self.count = 0
        # The primary's log position (bytes) read after the last change was seen; a 304 read
        # from a replica is kept only if it had replayed this far (newsroom/http/replicas.py).
        self.lsn: int | None = None
        self.lsn_count = 0
        self.checked_at = 0.0
        self.retry_at = 0.0
        self.lost = False
        self.lock = threading.Lock()

    def changes(self) -> int | None:
        """How many changes have been seen, or None while that cannot be known."""
        with self.lock:
            try:
                if self.connection is None and not self._connect():
                    return None
                now = time.monotonic()
                if now - self.checked_at >= CHECK_EVERY_SECONDS:
                    self._check()
                    self.checked_at = now
                pgconn = self.connection.pgconn
                pgconn.consume_input()
                while pgconn.notifies() is not None:
                    self.count += 1
                while self.lsn_count != self.count and replica_aliases():
                    # Again if a notification came in while the position was read.
                    self.lsn_count = self.count
                    self.lsn = self._primary_lsn()
                if self.lost:
                    raise ConnectionError("the server spoke on a connection that only listens")
            except Exception:
                logger.warning("No change listener; revalidations go to Django", exc_info=True)
                self.close()
                self.retry_at = time.monotonic() + RECONNECT_EVERY_SECONDS
                return None
            return self.count

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
        self.connection = None

    def _connect(self) -> bool:
        if time.monotonic() < self.retry_at:
            return False
        import psycopg

        params = connections[self.alias].get_connection_params()
        params.setdefault("connect_timeout", 2)
        # A send the server does not acknowledge in 5 s ends the connection.
        params.setdefault("tcp_user_timeout", 5000)
        self.connection = psycopg.connect(**params, autocommit=True)
        self.connection.add_notify_handler(self._changed)
        self.connection.add_notice_handler(self._server_spoke)
        self.connection.execute(f"LISTEN {CHANNEL}")
        self.lost = False
        self.checked_at = time.monotonic()
        # Changes made before it listened were not seen: kept answers must go.
        self.count += 1
        return True

    def _check(self) -> None:
        """One round trip: the connection is alive, and its session still listens (a pooler
        in transaction mode could have handed the LISTEN to another session)."""
        listening = self.connection.execute(
            "SELECT count(*) FROM pg_listening_channels() c WHERE c = %s", [CHANNEL]
        ).fetchone()[0]
        if not listening:
            raise ConnectionError(f"the connection no longer listens on {CHANNEL}")

    def _primary_lsn(self) -> int:
        # Where the next WAL record goes: past the commit of any change already notified,
        # even one not yet written out (asynchronous commit).
        return self.connection.execute(
            "SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint"
        ).fetchone()[0]

    def _changed(self, notify) -> None:
        # Notifications read while a round trip ran come here.
        self.count += 1

    def _server_spoke(self, diagnostic) -> None:
        # An idle connection gets an error notice when the server is about to close it.
        self.lost = True


class NotModifiedCache:
    """WSGI middleware around Django: see the module's docstring."""

    def __init__(self, app, listener: ChangeListener):
        self.app = app
        self.listener = listener
        # Oldest first (insertion order), each with its size.
        self.entries: dict[tuple, tuple[list[tuple[str, str]], int]] = {}
        self.size = 0
        self.max_entries = settings.NOT_MODIFIED_CACHE_MAX_ENTRIES
        self.max_bytes = settings.NOT_MODIFIED_CACHE_MAX_BYTES
        self.seen = None

    @classmethod
    def wrap(cls, app, alias: str = "default"):
        """`app` itself where this cannot work: the setting is off, or not PostgreSQL."""
        if not settings.NOT_MODIFIED_CACHE or connections[alias].vendor != "postgresql":
            return app
        return cls(app, ChangeListener(alias))

    def __call__(self, environ, start_response):
        key = request_key(environ)
        if key is None:
            return self.app(environ, start_response)
        changes = self.listener.changes()
        if changes != self.seen:
            self.entries.clear()
            self.size = 0
            self.seen = changes
        if changes is None:
            return self.app(environ, start_response)
        kept = self.entries.get(key)
        if kept is not None:
            start_response("304 Not Modified", with_request_id(kept[0], environ))
            return []

        answer = []

        def capture(status, response_headers, exc_info=None):
            answer[:] = [status, response_headers]
            return start_response(status, response_headers, exc_info)

        body = self.app(environ, capture)
        if (
            environ.get(KEEP)
            and answer
            and keepable(*answer)
            and self.listener.changes() == changes  # nothing changed while Django answered
            and replica_caught_up(environ, getattr(self.listener, "lsn", None))
        ):
            self.keep(key, answer[1])
        return body

    def keep(self, key: tuple, headers: list[tuple[str, str]]) -> None:
        size = entry_size(key, headers)
        if size > self.max_bytes or self.max_entries < 1:
            return
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= old[1]
        while self.entries and (
            len(self.entries) >= self.max_entries or self.size + size > self.max_bytes
        ):
            _headers, oldest_size = self.entries.pop(next(iter(self.entries)))
            self.size -= oldest_size
        self.entries[key] = (headers, size)
        self.size += size


def entry_size(key: tuple, headers: list[tuple[str, str]]) -> int:
    """What a kept answer holds, in characters: its key's values and its headers."""
    return sum(len(value) for value in key if value) + sum(
        len(name) + len(value) for name, value in headers
    )


def request_key(environ) -> tuple | None:
    """What identifies a conditional GET for `NotModifiedCache`; None for other requests."""
    if environ.get("REQUEST_METHOD") != "GET" or "HTTP_IF_NONE_MATCH" not in environ:
        return None
    if any(map(environ.__contains__, NOT_KEPT_ENVIRON)):
        return None
    return tuple(map(environ.get, KEY_ENVIRON))


def keepable(status: str, headers: list[tuple[str, str]]) -> bool:
    if not status.startswith("304"):
        return False
    for name, value in headers:
        name = name.lower()
        if name == "set-cookie":
            return False
        if name == "vary" and not {v.strip().lower() for v in value.split(",")} <= VARY_KEPT:
            return False
    return True


def with_request_id(headers: list[tuple[str, str]], environ) -> list[tuple[str, str]]:
    """The kept headers with this request's id, chosen as `RequestIdMiddleware` does."""
    request_id = request_id_for(environ.get("HTTP_X_REQUEST_ID", ""))
    return [(name, request_id if name == REQUEST_ID_HEADER else value) for name, value in headers]
