"""Deadlocks and serialization failures: PostgreSQL rolled a transaction back because of a
concurrent one. The database is up and the same work may simply run again, so these are never
answered as an outage (the API's 503 `database_unavailable`)."""

from __future__ import annotations

from django.db import OperationalError

# serialization_failure and deadlock_detected (psycopg's SerializationFailure and
# DeadlockDetected, which Django raises as OperationalError).
TRANSIENT_CONFLICT_SQLSTATES = frozenset({"40001", "40P01"})
# Tries of a write that meets such a conflict: the write API's handlers
# (`newsroom.api.errors.retry_transient_conflicts`) and the admin's saves (`newsroom.admin`).
WRITE_ATTEMPTS = 3


def is_transient_conflict(exc: BaseException) -> bool:
    """Whether `exc` is a deadlock or a serialization failure (not an outage)."""
    return isinstance(exc, OperationalError) and (
        getattr(exc.__cause__, "sqlstate", None) in TRANSIENT_CONFLICT_SQLSTATES
    )
