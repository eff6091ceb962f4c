"""Public reads from a read replica (newsroom/replicas.py), editors reading their own writes.

`ReplicaMiddleware` routes a GET or HEAD of the public paths (API, feeds, sitemaps; not the
write API) to a usable replica. Everything else reads the primary. A client that has just
written (any POST, PUT, PATCH or DELETE answered below 400, in the admin or the write API) gets
the cookie `PIN_COOKIE` for `DATABASE_REPLICA_PIN_SECONDS` and reads the primary while it has it,
so a replica's lag never shows an editor the state before their own save.

A replica that fails while a request reads it (the server went away between the health check
and the query, or cannot be connected to) is marked down and the request is answered again
from the primary: a reader never gets an error because of a replica.

For the 304 cache (newsroom/http/not_modified.py), a conditional GET routed to a replica records
how far that replica had replayed the primary's log before Django read it
(`REPLICA_REPLAYED_LSN`); the cache keeps such a 304 only when that is past the last change it
was told of, so an invalidation that overtook the replica's replay is not undone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connections

from newsroom import replicas
from newsroom.http.middleware import is_public_path

PIN_COOKIE = "newsroom_primary"
REPLICA_REPLAYED_LSN = "newsroom.replica_replayed_lsn"
WRITE_PATH_PREFIX = "/api/v1/manage/"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def reads_from_replica(request) -> bool:
    """A public read of a client that has not just written."""
    return (
        request.method in ("GET", "HEAD")
        and is_public_path(request)
        and not request.path_info.startswith(WRITE_PATH_PREFIX)
        and PIN_COOKIE not in request.COOKIES
    )


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replicas.replica_aliases():
            return self.get_response(request)
        alias = replicas.health.choose() if reads_from_replica(request) else None
        if alias is None:
            response = self.get_response(request)
            if request.method in UNSAFE_METHODS and response.status_code < 400:
                self.pin(response)
            return response

        route = replicas.ReadRoute(alias)
        token = replicas.current_route.set(route)
        try:
            # Connecting fails before any query, out of `route.watch`'s sight.
            route.replica_failed = not replicas.replica_connect(alias)
            if not route.replica_failed and "HTTP_IF_NONE_MATCH" in request.META:
                lsn = replicas.replica_replayed_lsn(alias)
                if lsn is None:
                    route.replica_failed = True
                else:
                    request.META[REPLICA_REPLAYED_LSN] = lsn
            if not route.replica_failed:
                with connections[alias].execute_wrapper(route.watch):
                    response = self.get_response(request)
        finally:
            replicas.current_route.reset(token)
        if route.replica_failed:
            replicas.health.mark_down(alias)
            replicas.replica_close(alias)
            request.META.pop(REPLICA_REPLAYED_LSN, None)
            response = self.get_response(request)
        return response

    def pin(self, response) -> None:
        response.set_cookie(
            PIN_COOKIE,
            "1",
            max_age=settings.DATABASE_REPLICA_PIN_SECONDS,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )


def replica_caught_up(environ, last_change_lsn: int | None) -> bool:
    """Whether an answer read from a replica may be kept: the replica had replayed the last
    change seen (`last_change_lsn`, the primary's log position then) before it was read.
    Answers read from the primary always may."""
    replayed = environ.get(REPLICA_REPLAYED_LSN)
    if replayed is None:
        return True
    return last_change_lsn is not None and replayed >= last_change_lsn
