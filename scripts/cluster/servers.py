"""The servers of a cluster run, all on 127.0.0.1 and all children of ours.

A PostgreSQL primary and streaming replica (tests/support/pgcluster.py), Redis on a free port,
moto's S3 server (tests/support/s3.py), two gunicorn web nodes behind Varnish with the shipped
VCL and a round-robin director (tests/support/varnish.py), two Celery worker "hosts" with their
own NEWSROOM_VAR_DIR and queues, and one beat. Processes are scripts/faults/stack.py's: each in
its own session, logging to a file. `Cluster.close()` stops everything that was started.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from scripts.faults.stack import BIN, ROOT, Process, free_port, wait_until
from tests.support.pgcluster import ReplicatedCluster
from tests.support.s3 import S3Server
from tests.support.varnish import Varnish

DATABASE = "newsroom_cluster"
BUCKET = "newsroom-cluster-media"
# Each worker host's queues (docs/background-jobs.md, "Running workers"). Both take `delivery`
# (purges) and `media`, so either host can be lost; only "publishing" takes the latency-critical
# queues, and the media host takes nothing else.
WORKER_HOSTS = {
    "worker-media": "media,delivery",
    "worker-publishing": "publishing,default,delivery,media",
}
NODES = ("node_a", "node_b")


class Cluster:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.log_dir = workdir / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.pg: ReplicatedCluster | None = None
        self.s3: S3Server | None = None
        self.varnish: Varnish | None = None
        self.redis: Process | None = None
        self.redis_port = free_port()
        self.web_ports = {name: free_port() for name in NODES}
        self.web: dict[str, Process] = {}
        self.workers: dict[str, Process] = {}
        self.beat: Process | None = None
        self.env: dict[str, str] = {}

    # --- Start ------------------------------------------------------------------------------

    def start(self, log) -> None:
        """Start everything, in dependency order; raises (with the server's log) on failure."""
        steps = [
            ("PostgreSQL primary + streaming replica", self.start_postgres),
            ("Redis", self.start_redis),
            ("S3 server (moto)", self.start_s3),
            ("settings and migrations", self.prepare),
            ("Varnish (director over node_a, node_b)", self.start_varnish),
            ("web nodes (gunicorn)", self.start_web_nodes),
            ("worker hosts and beat", self.start_workers),
        ]
        for name, step in steps:
            t0 = time.monotonic()
            step()
            log(f"  {name}: up in {time.monotonic() - t0:.1f} s")

    def start_postgres(self) -> None:
        self.pg = ReplicatedCluster().start()
        import psycopg

        with psycopg.connect(self.pg.primary.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')

    def start_redis(self) -> None:
        redis_dir = self.workdir / "redis"
        redis_dir.mkdir()
        command = [
            "redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "yes", "--dir", str(redis_dir), "--daemonize", "no",
        ]  # fmt: skip
        self.redis = Process("redis", command, env=dict(os.environ), log_dir=self.log_dir)

        def ping() -> bool:
            import redis

            try:
                return redis.Redis(port=self.redis_port, socket_connect_timeout=1).ping()
            except Exception:  # noqa: BLE001 - not up yet
                return False

        if not wait_until(ping, timeout=15):
            raise RuntimeError(f"redis-server did not start:\n{self.redis.output()[-2000:]}")

    def start_s3(self) -> None:
        self.s3 = S3Server().start()

    def prepare(self) -> None:
        self.varnish_port = free_port()  # the MEDIA_PUBLIC_URL and SITE_URL need it first
        self.env = self.build_env()
        self.manage(["migrate", "--noinput", "-v", "0"])

    def build_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "NEWSROOM_"))}
        env.pop("MEDIA_ROOT", None)
        env.update(self.s3.bucket_env(BUCKET, public_url=f"{self.s3.url}/{BUCKET}"))
        env.update(
            DJANGO_SETTINGS_MODULE="newsroom.settings",
            DEBUG="0",
            SECRET_KEY="cluster-only-" + os.urandom(16).hex(),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SITE_URL="http://127.0.0.1",
            SECURE_SSL_REDIRECT="0",
            SECURE_HSTS_SECONDS="0",
            DATABASE_URL=self.pg.primary.url(DATABASE),
            DATABASE_REPLICA_URLS=self.pg.replica.url(DATABASE),
            CELERY_BROKER_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            CACHE_URL=f"redis://127.0.0.1:{self.redis_port}/1",
            HTTP_CACHE_PURGE_BACKEND="varnish",
            HTTP_CACHE_PURGE_VARNISH_URLS=f"http://127.0.0.1:{self.varnish_port}/",
            API_ANON_THROTTLE_RATE="1000000/min",
            API_WRITE_THROTTLE_RATE="100000/min",
            # A lost message (a killed worker host) is given back within seconds, not hours.
            CELERY_VISIBILITY_TIMEOUT="20",
            CELERY_UNACKED_RESTORE_INTERVAL="1",
            CELERY_UNACKED_RESTORE_THROTTLE="1",
            JOB_SWEEP_SECONDS="5",
            JOB_STUCK_AFTER_SECONDS="30",
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        return env

    def manage(self, args: list[str], *, timeout: int = 300) -> str:
        result = subprocess.run(  # noqa: S603 - fixed command lines
            [sys.executable, "manage.py", *args],
            cwd=ROOT, env=self.host_env("runner"), capture_output=True, text=True,
            timeout=timeout,
        )  # fmt: skip
        if result.returncode:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result.stdout

    def host_env(self, host: str) -> dict[str, str]:
        """Every process is a "host" of its own: its own NEWSROOM_VAR_DIR, nothing shared."""
        var_dir = self.workdir / "hosts" / host
        var_dir.mkdir(parents=True, exist_ok=True)
        return {**self.env, "NEWSROOM_VAR_DIR": str(var_dir)}

    def start_varnish(self) -> None:
        varnish_dir = self.workdir / "varnish"
        varnish_dir.mkdir()
        self.varnish = Varnish(workdir=varnish_dir, nodes=self.web_ports, port=self.varnish_port)

    def start_web_nodes(self) -> None:
        for name in NODES:
            self.start_web(name)

    def start_web(self, name: str) -> None:
        port = self.web_ports[name]
        command = [
            str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "newsroom.wsgi",
            "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "30",
            "--log-level", "warning",
        ]  # fmt: skip
        process = Process(name, command, env=self.host_env(name), log_dir=self.log_dir)
        self.web[name] = process
        if not wait_until(lambda: self.node_answers(name), timeout=45):
            raise RuntimeError(f"gunicorn {name} did not answer:\n{process.output()[-3000:]}")

    def node_answers(self, name: str) -> bool:
        import urllib.request

        url = f"http://127.0.0.1:{self.web_ports[name]}/api/v1/sections/"
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - loopback
                return answer.status == 200
        except OSError:
            return False

    def start_workers(self) -> None:
        for host, queues in WORKER_HOSTS.items():
            command = [
                str(BIN / "celery"), "-A", "newsroom", "worker", "-Q", queues,
                "--loglevel", "info", "--pool", "prefork", "--concurrency", "2",
                "--hostname", f"{host}@127.0.0.1", "--without-gossip", "--without-mingle",
            ]  # fmt: skip
            self.workers[host] = Process(
                host, command, env=self.host_env(host), log_dir=self.log_dir
            )
        beat_env = self.host_env("beat")
        command = [
            str(BIN / "celery"), "-A", "newsroom", "beat", "--loglevel", "info",
            "--schedule", str(Path(beat_env["NEWSROOM_VAR_DIR"]) / "celerybeat-schedule"),
        ]  # fmt: skip
        self.beat = Process("beat", command, env=beat_env, log_dir=self.log_dir)
        for process in [*self.workers.values(), self.beat]:
            marker = "beat: Starting" if process is self.beat else "ready."
            up = wait_until(
                lambda p=process, m=marker: m in p.output() or not p.alive(), timeout=60
            )
            if not up or not process.alive():
                raise RuntimeError(f"{process.name} did not start:\n{process.output()[-3000:]}")

    # --- Faults -----------------------------------------------------------------------------

    def kill_web(self, name: str) -> None:
        self.web.pop(name).stop(signal.SIGKILL)

    def kill_worker(self, host: str) -> None:
        self.workers.pop(host).stop(signal.SIGKILL)

    def kill_replica(self) -> None:
        self.pg.replica.stop("immediate")

    # --- Stop -------------------------------------------------------------------------------

    def close(self) -> None:
        if self.varnish is not None:
            # Why Varnish closed client sessions (`MAIN.sc_*`), its failed fetches and the
            # rest, for a failed run's logs.
            with contextlib.suppress(Exception):
                (self.log_dir / "varnishstat.log").write_text(self.varnish.all_counters())
        processes = [self.beat, *self.workers.values(), *self.web.values(), self.redis]
        for process in processes:
            if process is not None:
                with contextlib.suppress(Exception):
                    process.stop()
        for server in (self.varnish, self.s3, self.pg):
            if server is not None:
                with contextlib.suppress(Exception):
                    server.stop()
