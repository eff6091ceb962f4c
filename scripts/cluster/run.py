"""A cluster run (`make cluster`): newsroom on several "machines" of 127.0.0.1, real servers.

A PostgreSQL primary and streaming replica, Redis, an S3 server (moto), two gunicorn web nodes
behind Varnish, two Celery worker hosts with their own NEWSROOM_VAR_DIR and queues, and one
beat (servers.py). The editor publishes an article with a new photo on node A's write API; the
renditions land in object storage; the front end reads through Varnish. Then 50 corrections,
an unpublish, a replayed E1-E3 read mix with a publish a second, and node A, a worker host and
the replica killed in turn while reads go on (scenario.py). Prints the timings and the cache
hit rate; exits 1 when a target is missed or a server does not start, 3 past
CLUSTER_MAX_SECONDS (default 600).

    .venv/bin/python scripts/cluster/run.py [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

# After the path is set: this file runs as a script.
from scripts.cluster.report import Report  # noqa: E402
from scripts.cluster.scenario import Scenario  # noqa: E402
from scripts.cluster.servers import Cluster  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the servers' logs and data")
    args = parser.parse_args()
    for program in ("redis-server", "varnishd", "varnishstat"):
        if not shutil.which(program, path=os.environ.get("PATH", "") + ":/usr/sbin"):
            print(
                f"FAIL: {program} is not installed (Debian: redis-server, varnish, varnish-modules)"
            )
            return 2
    max_seconds = int(os.environ.get("CLUSTER_MAX_SECONDS", "600"))
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-cluster-"))
    cluster = Cluster(workdir)
    report = Report()

    def watchdog() -> None:
        print(f"FAIL: the run passed its limit of {max_seconds} s; stopping everything.")
        cluster.close()
        print(f"Logs kept in {cluster.log_dir}")
        os._exit(3)

    timer = threading.Timer(max_seconds, watchdog)
    timer.daemon = True
    timer.start()
    crashed = False
    try:
        report.log("Starting the servers")
        cluster.start(report.log)
        scenario = Scenario(cluster, report)
        report.log("Seeding demo content on the primary")
        editor = scenario.seed()
        report.log("Step 1: an article with a new photo, published on node A")
        article = scenario.publish_with_photo(editor)
        report.log(f"Step 2: {50} corrections, each read through Varnish until it shows")
        scenario.corrections(editor, article)
        report.log("Step 3: an unpublish")
        scenario.unpublish(editor)
        report.log(
            "Step 4: read mix with publishing at 1/s, then node A, a worker, the replica killed"
        )
        scenario.load_and_faults(editor)
        report.log("Step 5: nothing lost")
        scenario.nothing_lost()
    except Exception:  # noqa: BLE001 - a crash (a server that did not start) fails the run
        crashed = True
        report.failures.append("crashed")
        print(traceback.format_exc(), flush=True)
    finally:
        timer.cancel()
        cluster.close()
    status = report.summary()
    if status or crashed or args.keep:
        for log in sorted(cluster.log_dir.glob("*.log")) if crashed else []:
            print(f"--- {log.name} (last lines)\n{log.read_text(errors='replace')[-1500:]}")
        print(f"Logs kept in {cluster.log_dir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
