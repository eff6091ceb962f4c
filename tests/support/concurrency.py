"""Races run for real: callables in threads, released together, on PostgreSQL.

Single-threaded tests do not find races. A race test marks itself `postgresql_only` and
`pytest.mark.django_db(transaction=True)` (each thread has its own connection, so the data
it reads must be committed), then calls `run_together`::

    outcomes = run_together(lambda: article_publish(...), lambda: article_publish(...))
    assert [o.error for o in outcomes] == [None, None]

In CI's PostgreSQL leg a skipped test fails the run (`tests/conftest.py`), so these tests
cannot pass there by not running.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, connections

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a race needs PostgreSQL's row locks and concurrent connections (CI's PostgreSQL leg)",
)


@dataclass
class Outcome:
    """What one thread's callable returned, or the exception it raised."""

    result: Any = None
    error: BaseException | None = None


def run_together(*calls: Callable[[], Any], timeout: float = 60) -> list[Outcome]:
    """Run each callable in its own thread, all released at once by a barrier.

    Returns one `Outcome` per callable, in order. Each thread closes its own database
    connections when done. Raises `TimeoutError` if a thread is still running after
    `timeout` seconds (a deadlock that PostgreSQL did not break).
    """
    barrier = threading.Barrier(len(calls))
    outcomes = [Outcome() for _ in calls]

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=timeout)
            outcomes[index].result = call()
        except BaseException as exc:  # noqa: BLE001 - reported to the test, never swallowed
            outcomes[index].error = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(index, call), daemon=True)
        for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    if any(thread.is_alive() for thread in threads):
        raise TimeoutError(f"A thread was still running after {timeout} s.")
    return outcomes
