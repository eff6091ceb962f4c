"""The database and its read replicas."""

from __future__ import annotations

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from newsroom.settings.environment import VAR_DIR, envbool, envint, envlist

# --- Database -----------------------------------------------------------------------------
# DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/newsroom; SQLite by default.

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, whose health check skips the round trip when the socket is quiet.
    DATABASES["default"]["ENGINE"] = "newsroom.postgresql"
if DATABASES["default"]["ENGINE"] == "newsroom.postgresql" and envbool(
    "DATABASE_PREPARED_STATEMENTS", "true"
):
    # Parameters bound by the server, and a statement run 5 times on a connection is
    # prepared: PostgreSQL stops re-planning the API's few hot queries. Turn it off behind a
    # pooler in transaction mode (PgBouncer before 1.21).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The one-box set-up (`make run`) writes from the web server and several worker
    # processes: take the write lock at BEGIN and wait for it, instead of failing at once
    # with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Read replicas (PostgreSQL streaming standbys of DATABASE_URL), comma-separated: the public
# reads (API, feeds, sitemaps) go to one of them, everything else to the primary
# (newsroom/replicas.py). None by default: everything reads the primary.
DATABASE_REPLICA_URLS = envlist("DATABASE_REPLICA_URLS", "")
for _number, _url in enumerate(DATABASE_REPLICA_URLS):
    _replica = dj_database_url.parse(
        _url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True
    )
    if _replica["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS must be postgres:// URLs")
    _replica["ENGINE"] = "newsroom.postgresql"
    # A replica that does not answer within 2 s is skipped for the primary.
    _replica["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), "connect_timeout": 2}
    # Tests read the test database through the replica: it is a mirror, not a copy.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_number}"] = _replica
DATABASE_ROUTERS = ["newsroom.replicas.ReplicaRouter"]
# A replica further behind the primary than this is skipped, as is one that does not answer;
# each process checks every DATABASE_REPLICA_CHECK_SECONDS. A cache purge waits at most this
# long for the replicas to replay its change (articles/published/cache.py).
DATABASE_REPLICA_MAX_LAG_SECONDS = envint("DATABASE_REPLICA_MAX_LAG_SECONDS", 5)
DATABASE_REPLICA_CHECK_SECONDS = envint("DATABASE_REPLICA_CHECK_SECONDS", 1)
# After a write, the client reads the primary for this long (a cookie): editors see their own
# saves even through a lagging replica. Keep it above DATABASE_REPLICA_MAX_LAG_SECONDS.
DATABASE_REPLICA_PIN_SECONDS = envint("DATABASE_REPLICA_PIN_SECONDS", 10)
