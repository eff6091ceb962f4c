"""Read replicas: which database a query goes to.

Each URL of `DATABASE_REPLICA_URLS` is a database alias `replica_0`, `replica_1`, ... (settings).
Everything reads and writes the primary (`default`) unless a request was routed to a replica
by `newsroom.http.replicas.ReplicaMiddleware`, which does so only for the public reads (API,
feeds, sitemaps) of a client that has not just written. Jobs, the admin, the write API, the
management commands and the publish door never run inside such a request, so they always see
the primary. A request that writes after all is pinned to the primary for the rest of it.

A replica is used only while it answers and lags no more than `DATABASE_REPLICA_MAX_LAG_SECONDS`,
measured at most every `DATABASE_REPLICA_CHECK_SECONDS` per process; otherwise reads go to the
primary. With no replica configured, nothing here changes a query's database.
"""

from __future__ import annotations

import logging
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA_PREFIX = "replica_"
# A replica found down is asked again after this long, not at every check: a host that drops
# packets would otherwise cost each process a connect timeout per check.
DOWN_RETRY_SECONDS = 5.0
# Seconds behind the primary: 0 when everything received is replayed; a standby that is not
# streaming from its primary is as far behind as can be known (infinitely).
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN NOT EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')
        THEN 'Infinity'::float8
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(
        EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8, 'Infinity'::float8
    )
END
"""
REPLAYED_LSN_SQL = "SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint"
# Everything the primary has written so far, committed transactions included (with
# synchronous_commit off too, where the write position may trail the commit). When the last
# record ended at the end of a WAL page, the insert position is reported past the next page's
# header (24 bytes, 40 at a segment's start) while a replica's replay position stays at the
# page's end: the header is taken off, or the wait would last until the next write.
PRIMARY_LSN_SQL = """
WITH insert AS (
    SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint AS at,
        current_setting('wal_block_size')::bigint AS page,
        (SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size') AS segment
)
SELECT CASE
    WHEN at % segment = 40 THEN at - 40
    WHEN at % page = 24 THEN at - 24
    ELSE at
END
FROM insert
"""


@dataclass
class ReadRoute:
    """The database a request's reads go to, while it runs."""

    alias: str
    wrote: bool = False
    replica_failed: bool = False

    def watch(self, execute, sql, params, many, context):
        """An execute wrapper on the replica's connection: notes that the replica failed
        (it went away, the network was cut), rather than a query."""
        try:
            return execute(sql, params, many, context)
        except DatabaseError as exc:
            if isinstance(exc, (OperationalError, InterfaceError)):
                self.replica_failed = True
            raise


current_route: ContextVar[ReadRoute | None] = ContextVar("newsroom_read_route", default=None)


class ReplicaRouter:
    """Django's database router (`DATABASE_ROUTERS`): see the module's docstring."""

    def db_for_read(self, model, **hints):
        route = current_route.get()
        if route is None:
            return None  # Django's choice: the primary, or the database `using()` names
        return PRIMARY if route.wrote else route.alias

    def db_for_write(self, model, **hints):
        route = current_route.get()
        if route is not None:
            route.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replicas hold the primary's rows: an object read from one is the primary's.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return not is_replica(db)


def is_replica(alias: str) -> bool:
    return alias.startswith(REPLICA_PREFIX)


def replica_aliases() -> list[str]:
    return [alias for alias in connections.settings if is_replica(alias)]


class ReplicaHealth:
    """Per process: which replicas answered the last check, lagging little enough."""

    def __init__(self):
        self.lock = threading.Lock()
        self.usable_until: dict[str, float] = {}
        self.down_until: dict[str, float] = {}
        self.turn = 0

    def choose(self) -> str | None:
        """A usable replica (taking turns between several), or None: read the primary."""
        aliases = replica_aliases()
        if not aliases:
            return None
        with self.lock:
            self.turn += 1
            start = self.turn
        for offset in range(len(aliases)):
            alias = aliases[(start + offset) % len(aliases)]
            if self.usable(alias):
                return alias
        return None

    def usable(self, alias: str) -> bool:
        now = time.monotonic()
        if now < self.usable_until.get(alias, 0.0):
            return True
        if now < self.down_until.get(alias, 0.0):
            return False
        lag = replica_lag_seconds(alias)
        now = time.monotonic()
        if lag is not None and lag <= settings.DATABASE_REPLICA_MAX_LAG_SECONDS:
            self.usable_until[alias] = now + settings.DATABASE_REPLICA_CHECK_SECONDS
            self.down_until.pop(alias, None)
            return True
        if lag is None:
            self.mark_down(alias)
        else:
            logger.warning("Replica %s lags %.1f s; reads go to the primary", alias, lag)
            self.mark_down(alias, retry_after=settings.DATABASE_REPLICA_CHECK_SECONDS)
        return False

    def mark_down(self, alias: str, *, retry_after: float = DOWN_RETRY_SECONDS) -> None:
        self.usable_until.pop(alias, None)
        self.down_until[alias] = time.monotonic() + retry_after

    def forget(self) -> None:
        self.usable_until.clear()
        self.down_until.clear()


health = ReplicaHealth()


def replica_lag_seconds(alias: str) -> float | None:
    """How far `alias` is behind its primary; None if it does not answer (its connection is
    closed, so the next use connects anew)."""
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            return float(cursor.fetchone()[0])
    except DatabaseError:
        logger.warning("Replica %s does not answer; reads go to the primary", alias, exc_info=True)
        replica_close(alias)
        return None


def replica_connect(alias: str) -> bool:
    """Connect to `alias` now unless a kept connection passes Django's health check (as the
    first query would); False if it does not answer."""
    connection = connections[alias]
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError:
        logger.warning("Replica %s does not answer; reads go to the primary", alias, exc_info=True)
        replica_close(alias)
        return False
    return True


def replica_replayed_lsn(alias: str) -> int | None:
    """Where `alias` has replayed the primary's log to (bytes), or None if it does not answer."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(REPLAYED_LSN_SQL)
            return int(cursor.fetchone()[0])
    except DatabaseError:
        replica_close(alias)
        return None


def replicas_wait_until_caught_up(*, interval: float = 0.02) -> list[str]:
    """Wait until every replica has replayed what the primary had written when this is called
    (a change committed before it), so that a reader sent to a replica sees the change; for a
    cache purge, which would otherwise let the cache fetch the old answer again from a replica
    and keep it. At most DATABASE_REPLICA_MAX_LAG_SECONDS: a replica further behind is skipped
    by the readers, as is one that does not answer (not waited for). Returns the replicas
    still behind. No query when there is no replica."""
    aliases = replica_aliases()
    if not aliases:
        return []
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute(PRIMARY_LSN_SQL)
        target = int(cursor.fetchone()[0])
    deadline = time.monotonic() + settings.DATABASE_REPLICA_MAX_LAG_SECONDS
    behind = aliases
    while True:
        behind = [
            alias
            for alias in behind
            if (replayed := replica_replayed_lsn(alias)) is not None and replayed < target
        ]
        if not behind or time.monotonic() >= deadline:
            if behind:
                logger.warning("Replicas %s have not replayed a change yet", behind)
            return behind
        time.sleep(interval)


def replica_close(alias: str) -> None:
    try:
        connections[alias].close()
    except DatabaseError:
        connections[alias].connection = None
