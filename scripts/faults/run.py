"""Fault injection (`make faults`): kill, restart or empty real processes mid-work, then check.

docs/reliability.md tier C (I1-I6, J1-J3, G5). Everything runs on 127.0.0.1 and is started here: a
private Redis on a free port, gunicorn, two Celery workers (prefork, all queues, the
production ack settings from newsroom/settings/jobs.py), beat, and a webhook sink thread. The
machine's PostgreSQL (127.0.0.1:5432, user postgres) gets a fresh database of our own,
`newsroom_faults` (FAULTS_DATABASE_NAME overrides). Each scenario seeds data through the
ORM in this process, injects its fault with os.kill / subprocess / SQL, checks database
invariants and the sink log under a deadline, and prints PASS or FAIL with the evidence.
Exit status 1 when any scenario fails; the whole run is bounded by FAULTS_MAX_SECONDS.

    .venv/bin/python scripts/faults/run.py [--only NAME ...] [--keep]

Logs of every process are under a temporary folder, printed (and kept) when a scenario fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

# After the path is set: this file runs as a script.
from scripts.faults.checks import (  # noqa: E402
    PG,
    RUNNER_APP_NAME,
    SINK_HANG_SECONDS,
    Evidence,
    build_env,
    drop_database,
    recreate_database,
)
from scripts.faults.scenarios import SCENARIOS  # noqa: E402
from scripts.faults.stack import Sink, Stack  # noqa: E402


def ensure_running(stack: Stack) -> None:
    """Each scenario starts from two live workers and one beat."""
    stack.workers = [w for w in stack.workers if w.alive()]
    if len(stack.workers) < 2:
        stack.start_workers(2 - len(stack.workers))
    stack.beats = [b for b in stack.beats if b.alive()]
    if not stack.beats:
        stack.start_beat()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", choices=[name for name, _, _ in SCENARIOS])
    parser.add_argument("--keep", action="store_true", help="keep logs and the database")
    args = parser.parse_args()
    if not shutil.which("redis-server"):
        print("FAIL: redis-server is not on PATH (Debian: apt-get install redis-server)")
        return 2
    max_seconds = int(os.environ.get("FAULTS_MAX_SECONDS", "720"))
    db_name = os.environ.get("FAULTS_DATABASE_NAME", "newsroom_faults")
    database_url = f"{PG}/{db_name}"
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-faults-"))
    started = time.monotonic()
    stack = Stack(workdir=workdir, database_url=database_url, env={})
    stack.env = build_env(
        workdir=workdir,
        database_url=database_url,
        broker_url=stack.broker_url,
        web_port=stack.web_port,
    )

    def watchdog() -> None:
        print(f"FAIL: the run passed its limit of {max_seconds} s; stopping everything.")
        stack.close()
        os._exit(3)

    timer = threading.Timer(max_seconds, watchdog)
    timer.daemon = True
    timer.start()
    results: list[tuple[str, str, bool]] = []
    failed = False
    try:
        recreate_database(db_name)
        migrate = subprocess.run(  # noqa: S603 - fixed command line
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=stack.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        if migrate.returncode:
            print(f"FAIL: migrate\n{migrate.stdout}\n{migrate.stderr}")
            return 1
        os.environ.update(stack.env)
        # Our own connections are spared when the I4 scenario cuts the app's.
        os.environ["PGAPPNAME"] = RUNNER_APP_NAME
        import django

        django.setup()
        from articles.published.models import WebhookSubscription

        stack.sink = Sink(hang_seconds=SINK_HANG_SECONDS)
        WebhookSubscription.objects.create(name="front end", url=stack.sink.url("/hooks"))
        stack.start_redis(appendonly=True)
        stack.start_web()
        ensure_running(stack)
        print(
            f"Stack up in {time.monotonic() - started:.0f} s: Redis :{stack.redis_port}, "
            f"gunicorn :{stack.web_port}, sink :{stack.sink.port}, database {db_name}; "
            f"logs in {stack.log_dir}"
        )
        for name, cases, scenario in SCENARIOS:
            if args.only and name not in args.only:
                continue
            ev = Evidence()
            t0 = time.monotonic()
            try:
                ensure_running(stack)
                scenario(stack, ev)
            except Exception:  # noqa: BLE001 - a crash is a failed scenario, with its trace
                ev.failures.append("crashed")
                ev.note("crashed:\n" + traceback.format_exc())
            ok = not ev.failures
            failed |= not ok
            verdict = "PASS" if ok else "FAIL"
            print(f"\n{verdict} {name} ({cases}) in {time.monotonic() - t0:.0f} s")
            for line in ev.lines:
                print(f"    {line}")
            results.append((name, cases, ok))
            sys.stdout.flush()
    finally:
        timer.cancel()
        stack.close()
        if failed or args.keep:
            print(f"\nProcess logs kept in {stack.log_dir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
        if not args.keep:
            try:
                from django.db import connections

                connections.close_all()
            except Exception:  # noqa: BLE001, S110 - Django may not be set up
                pass
            drop_database(db_name)
    passed = sum(1 for _, _, ok in results if ok)
    print(f"\nFault injection took {time.monotonic() - started:.0f} s.")
    print(f"faults: {passed} passed, {len(results) - passed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
