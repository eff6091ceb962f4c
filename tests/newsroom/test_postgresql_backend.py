"""newsroom.postgresql: Django's health check, with the round trip only when the socket of a
kept connection has something to read."""

from __future__ import annotations

import select

import psycopg
import pytest
from django.db import connection

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
