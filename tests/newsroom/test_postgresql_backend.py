"""newsroom.postgresql: Django's health check, with the round trip only when the socket of a
kept connection has something to read; `timestamptz` values parsed by psycopg's own loader."""

from __future__ import annotations

import datetime
import select

import psycopg
import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.postgresql.psycopg_any import BaseTzLoader

from newsroom.postgresql.base import UTCTimestamptzLoader

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend"),
    # The health check runs where a request starts, outside any transaction.
    pytest.mark.django_db(transaction=True),
]


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def from_another_connection(sql: str, params=()) -> None:
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute(sql, params)


def wait_until_readable() -> None:
    readable, _, _ = select.select([connection.connection.fileno()], [], [], 5)
    assert readable, "nothing arrived within 5 s"


def count_round_trips(monkeypatch) -> list[bool]:
    checks = []
    is_usable = connection.is_usable

    def counted():
        checks.append(usable := is_usable())
        return usable

    monkeypatch.setattr(connection, "is_usable", counted)
    return checks


def test_a_quiet_connection_is_kept_without_a_round_trip(monkeypatch):
    pid = backend_pid()
    checks = count_round_trips(monkeypatch)

    connection.close_if_unusable_or_obsolete()  # what Django does as a request starts

    assert backend_pid() == pid
    assert checks == []


def test_a_connection_the_server_closed_is_replaced_before_the_first_query(monkeypatch):
    pid = backend_pid()
    checks = count_round_trips(monkeypatch)
    from_another_connection("SELECT pg_terminate_backend(%s)", [pid])
    wait_until_readable()  # the server's closing message

    connection.close_if_unusable_or_obsolete()

    assert backend_pid() != pid  # no error: a new connection
    assert checks == [False]


def test_a_connection_with_something_to_read_gets_djangos_round_trip(monkeypatch):
    pid = backend_pid()
    with connection.cursor() as cursor:
        cursor.execute("LISTEN newsroom_backend_test")
    checks = count_round_trips(monkeypatch)
    from_another_connection("NOTIFY newsroom_backend_test")
    wait_until_readable()

    connection.close_if_unusable_or_obsolete()

    assert backend_pid() == pid  # alive: kept
    assert checks == [True]


TIMESTAMPS = [
    "2026-12-04 14:20:05.123456+00",
    "2026-01-02 03:04:05+07",  # another offset: the same instant, in UTC
    "2024-02-29 23:59:59.999999-09:30",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
    "1970-01-01 00:00:00+00",
]


def test_timestamps_load_as_djangos_loader_gives_them():
    select_all = (
        "SELECT " + ", ".join(["%s::timestamptz"] * len(TIMESTAMPS)) + ", NULL::timestamptz"
    )
    with connection.cursor() as cursor:
        cursor.execute(select_all, TIMESTAMPS)
        ours = cursor.fetchone()
    assert timestamptz_loader() is UTCTimestamptzLoader

    class DjangosLoader(BaseTzLoader):  # what Django registers for a connection in UTC
        timezone = datetime.UTC

    with psycopg.connect(**connection.get_connection_params()) as other:
        other.adapters.register_loader("timestamptz", DjangosLoader)
        other.execute("SET TIME ZONE 'UTC'")
        djangos = other.execute(select_all, TIMESTAMPS).fetchone()

    assert ours == djangos
    assert [value.tzinfo for value in ours[:-1]] == [datetime.UTC] * len(TIMESTAMPS)
    assert [value.isoformat() for value in ours[:-1]] == [
        value.isoformat() for value in djangos[:-1]
    ]
    assert ours[-1] is None


def timestamptz_loader():
    return connection.connection.adapters.get_loader(1184, psycopg.pq.Format.TEXT)


def reconnect() -> None:
    """A new connection, with the time zone of the current settings."""
    connection.close()
    for name in ("timezone", "timezone_name"):  # cached from the settings
        connections[DEFAULT_DB_ALIAS].__dict__.pop(name, None)


def test_django_keeps_its_own_loader_for_a_connection_in_another_time_zone(settings):
    use_tz, time_zone = settings.USE_TZ, settings.TIME_ZONE
    settings.USE_TZ = False
    settings.TIME_ZONE = "Asia/Jakarta"
    reconnect()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT '2026-12-04 07:00:00+00'::timestamptz")
            (value,) = cursor.fetchone()
        loader = timestamptz_loader()
    finally:
        settings.USE_TZ, settings.TIME_ZONE = use_tz, time_zone
        reconnect()

    assert loader is not UTCTimestamptzLoader
    assert value == datetime.datetime(2026, 12, 4, 14, 0)  # naive, in Jakarta's time
