"""Django's PostgreSQL backend, with a health check that needs no round trip when it can.

Django checks a kept connection before each request's first query (`CONN_HEALTH_CHECKS`) by
running `SELECT 1`: a round trip per request, as long as the request's own query. A
connection the server has closed (a restart, `pg_terminate_backend`, an idle timeout) always
has something to read: the server's closing message, then the end of the stream; a healthy
idle connection has nothing. So the socket is polled first, without waiting, and the
`SELECT 1` runs only when it has something to read. A connection lost without a word (a
network cut) passes both checks alike and fails at its first query.
"""

import datetime
import select

from django.db.backends.postgresql import base
from psycopg import postgres
from psycopg.adapt import Loader
from psycopg.pq import Format


class DatabaseWrapper(base.DatabaseWrapper):
    def init_connection_state(self):
        super().init_connection_state()
        # No JIT compilation: the admin's dashboard and lists run short queries whose cost the
        # planner overestimates at a million articles, and compiling them took ~2 s each
        # (docs/performance.md, "The admin at a million articles"). One statement per new
        # connection (they are kept, `DATABASE_CONN_MAX_AGE`).
        with self.connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        if self.timezone is datetime.UTC:
            self.connection.adapters.register_loader("timestamptz", UTCTimestamptzLoader)

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and is_quiet(self.connection)
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()


# psycopg's loader of `timestamptz` text: its C one when psycopg has it.
PSYCOPG_TIMESTAMPTZ_LOADER = postgres.adapters.get_loader(
    postgres.types["timestamptz"].oid, Format.TEXT
)


class UTCTimestamptzLoader(Loader):
    """`timestamptz` values for a connection in UTC, parsed by psycopg's own loader: what
    Django's loader gives (aware datetimes in `datetime.timezone.utc`, which psycopg returns
    for a session in UTC) in an eighth of the time (docs/performance.md, "Sixth round").

    Django registers a subclass of psycopg's Python loader that replaces each value's tzinfo
    with the connection's time zone, and psycopg uses its C loader only for its own classes
    (which cannot be subclassed), so every timestamp was parsed in Python: 42 per page of a
    list. `timezone` is what Django compares with the connection's time zone before it puts
    its own loader on a cursor (`DatabaseWrapper.create_cursor`).
    """

    timezone = datetime.UTC

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        self.psycopg_loader = PSYCOPG_TIMESTAMPTZ_LOADER(oid, context)

    def load(self, data):
        return self.psycopg_loader.load(data)


def is_quiet(connection) -> bool:
    """Nothing has arrived on the connection's socket since its last answer was read."""
    try:
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
        return not poller.poll(0)
    except (base.Database.Error, OSError, ValueError):
        return False  # a broken connection: Django's own check decides
