"""A PostgreSQL primary and a streaming replica of the tests' own, on free ports of 127.0.0.1.

The machine's cluster allows no replication connections, so the tests make one: `initdb` into
a temporary directory as the `postgres` user (PostgreSQL refuses to run as root), a
`pg_hba.conf` that trusts 127.0.0.1 for replication, `pg_basebackup -R` for the replica. Any
step that fails raises with the server's log: these tests never skip.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
OS_USER = "postgres"
SETTINGS = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{socket_dir}'
wal_level = replica
max_wal_senders = 5
hot_standby = on
hot_standby_feedback = on
max_connections = 50
fsync = off
full_page_writes = off
synchronous_commit = off
"""
HBA = """
local all all trust
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def as_postgres(args: list[str], *, timeout: int = 120) -> None:
    """Run a PostgreSQL program as the `postgres` OS user; raise with its output on failure."""
    command = [str(PG_BIN / args[0]), *args[1:]]
    if os.geteuid() == 0:
        command = ["runuser", "-u", OS_USER, "--", *command]
    result = subprocess.run(  # noqa: S603 (fixed programs, no shell)
        command, capture_output=True, text=True, timeout=timeout, cwd="/"
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed (exit {result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}"
        )


@dataclass
class Server:
    data_dir: Path
    port: int

    @property
    def log(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}.log"

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        try:
            as_postgres(["pg_ctl", "-D", str(self.data_dir), "-l", str(self.log), "-w", "-t", "60",
                         "start"])  # fmt: skip
        except RuntimeError as exc:
            log = self.log.read_text() if self.log.exists() else "(no log)"
            raise RuntimeError(f"{exc}\n--- server log ---\n{log}") from exc

    def stop(self, mode: str = "fast") -> None:
        as_postgres(["pg_ctl", "-D", str(self.data_dir), "-m", mode, "-w", "stop"])

    def is_running(self) -> bool:
        return (self.data_dir / "postmaster.pid").exists()


class ReplicatedCluster:
    """`primary` and `replica` (a hot standby streaming from it)."""

    def __init__(self):
        self.base = Path(tempfile.mkdtemp(prefix="newsroom-replicas-"))
        user = pwd.getpwnam(OS_USER)
        if os.geteuid() == 0:
            os.chown(self.base, user.pw_uid, user.pw_gid)
        self.primary = Server(self.base / "primary", free_port())
        self.replica = Server(self.base / "replica", free_port())

    def start(self) -> ReplicatedCluster:
        as_postgres(["initdb", "-D", str(self.primary.data_dir), "-U", "postgres", "-A", "trust",
                     "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])  # fmt: skip
        self._configure(self.primary)
        (self.primary.data_dir / "pg_hba.conf").write_text(HBA)
        self.primary.start()
        as_postgres(["pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary.port), "-U",
                     "postgres", "-D", str(self.replica.data_dir), "-R", "-X", "stream",
                     "--no-sync"])  # fmt: skip
        self._configure(self.replica)
        self.replica.start()
        self.wait_until_streaming()
        return self

    def stop(self) -> None:
        for server in (self.replica, self.primary):
            if server.is_running():
                with contextlib.suppress(RuntimeError):
                    server.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)

    def _configure(self, server: Server) -> None:
        conf = server.data_dir / "postgresql.conf"
        with conf.open("a") as file:
            file.write(SETTINGS.format(port=server.port, socket_dir=self.base))

    def wait_until_streaming(self, timeout: float = 30) -> None:
        import psycopg

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with psycopg.connect(self.primary.url("postgres"), autocommit=True) as conn:
                if conn.execute("SELECT count(*) FROM pg_stat_replication").fetchone()[0]:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"the replica is not streaming after {timeout} s:\n"
                           f"{self.replica.log.read_text()}")  # fmt: skip

    def replica_sql(self, sql: str, database: str = "postgres"):
        import psycopg

        with psycopg.connect(self.replica.url(database), autocommit=True) as conn:
            return conn.execute(sql).fetchone()

    def wait_until_replayed(self, timeout: float = 10) -> None:
        """The replica has replayed everything the primary has written so far."""
        self._wait_until("pg_last_wal_replay_lsn", timeout)

    def wait_until_received(self, timeout: float = 10) -> None:
        """The replica has received (not necessarily replayed) all the primary has written."""
        self._wait_until("pg_last_wal_receive_lsn", timeout)

    def _wait_until(self, position: str, timeout: float) -> None:
        import psycopg

        with psycopg.connect(self.primary.url("postgres"), autocommit=True) as conn:
            target = conn.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()[0]
            # One more record (a transaction's commit) after the target: at a page boundary
            # the insert position stands past the header of a page no record has reached
            # yet, which the replica would not replay while the primary writes nothing more.
            conn.execute("SELECT txid_current()")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = self.replica_sql(f"SELECT {position}() >= '{target}'::pg_lsn")[0]
            if done:
                return
            time.sleep(0.05)
        raise AssertionError(f"the replica's {position} is not {target} after {timeout} s")
