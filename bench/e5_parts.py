# ruff: noqa: T201 - a developer script that prints its figures
"""Where E5's distance from its floor goes: four apps under the same gunicorn and wrk, in turn.

- the floor (`bench/floor.py`): a bare WSGI app answering 304 with 2 headers;
- the floor answering with the 10 headers of our 304 (copied from a real answer);
- the same, in a worker that has imported `newsroom.wsgi` (Django set up, its heap);
- newsroom itself: E5, the detail's 304 kept before Django (`newsroom/http/not_modified.py`).

Each round serves each app in turn (2 sync workers, `wrk -t2 -c8` for `--seconds`, as `make
bench` measures E5) and prints req/s and the workers' user and system CPU time per request
(from `/proc`); then the median req/s of each. Run it against a database that
`make bench` seeded, from the repository's root:

    .venv/bin/python bench/e5_parts.py [--rounds 3] [--seconds 10]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from servers import (  # noqa: E402
    production_python,
    start_gunicorn,
    wait_listening,
    wrk_conditional,
)

FLOOR_WITH_HEADERS = """
import json
HEADERS = [tuple(header) for header in json.load(open({path!r}))]

def application(environ, start_response):
    start_response("304 Not Modified", list(HEADERS))
    return [b""]
"""
FLOOR_IN_NEWSROOM = """
import newsroom.wsgi  # noqa: F401 - Django set up: a worker's heap as ours
from floor_with_headers import application  # noqa: F401
"""


def serve(app: str, port: int, env: dict[str, str], python: str) -> subprocess.Popen:
    server = start_gunicorn(app, port, env, python=python)
    try:
        wait_listening(port, server)
    except SystemExit:
        stop(server)
        raise
    return server


def workers_cpu_seconds(master_pid: int) -> tuple[float, float]:
    """User and system CPU time of gunicorn's workers so far (the master's children)."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    user = system = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        user, system = user + int(fields[11]), system + int(fields[12])
    ticks = os.sysconf("SC_CLK_TCK")
    return user / ticks, system / ticks


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def our_304(base: str, path: str) -> tuple[str, list[tuple[str, str]]]:
    """The ETag of `path` and the headers of its 304, less those gunicorn adds itself."""
    with urllib.request.urlopen(base + path) as response:  # noqa: S310 - localhost
        etag = response.headers["ETag"]
    request = urllib.request.Request(base + path, headers={"If-None-Match": etag})  # noqa: S310
    try:
        urllib.request.urlopen(request)  # noqa: S310 - localhost
    except urllib.error.HTTPError as answer:
        if answer.code == 304:
            own = {"date", "server", "connection"}
            return etag, [(k, v) for k, v in answer.headers.items() if k.lower() not in own]
    raise SystemExit(f"{path} did not answer 304 to its ETag")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--port", type=int, default=8041)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="e5-parts-"))
    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom_bench"
        ),
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "API_ANON_THROTTLE_RATE": "100000000/min",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "PYTHONPATH": os.pathsep.join([str(workdir), str(REPO), str(BENCH)]),
    }
    python = production_python(env)
    slug = subprocess.run(  # noqa: S603 - fixed command line
        [
            python,
            "-c",
            "import django; django.setup(); from articles.published.models import "
            "PublishedArticle; print(PublishedArticle.objects.values_list('slug', flat=True)"
            ".first())",
        ],
        env={**env, "DJANGO_SETTINGS_MODULE": "newsroom.settings"},
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    path = f"/api/v1/articles/{slug}/"

    server = serve("newsroom.wsgi:application", args.port, env, python)
    try:
        etag, headers = our_304(f"http://127.0.0.1:{args.port}", path)
    finally:
        stop(server)
    (workdir / "headers.json").write_text(json.dumps(headers))
    (workdir / "floor_with_headers.py").write_text(
        FLOOR_WITH_HEADERS.format(path=str(workdir / "headers.json"))
    )
    (workdir / "floor_in_newsroom.py").write_text(FLOOR_IN_NEWSROOM)
    print(f"our 304 has {len(headers)} headers: {', '.join(name for name, _ in headers)}")

    apps = [
        ("floor, 2 headers", "floor:application", '"floor"'),
        ("floor, our headers", "floor_with_headers:application", etag),
        ("floor, our headers, newsroom imported", "floor_in_newsroom:application", etag),
        ("newsroom E5", "newsroom.wsgi:application", etag),
    ]
    rates: dict[str, list[float]] = {name: [] for name, _, _ in apps}
    for round_number in range(1, args.rounds + 1):
        for name, app, tag in apps:
            server = serve(app, args.port, env, python)
            try:
                base = f"http://127.0.0.1:{args.port}"
                wrk_conditional(base, path, tag, 2)  # newsroom keeps the 304 on first sight
                user_before, system_before = workers_cpu_seconds(server.pid)
                result = wrk_conditional(base, path, tag, args.seconds)
                user_after, system_after = workers_cpu_seconds(server.pid)
            finally:
                stop(server)
            if result["errors"]:
                raise SystemExit(f"{name}: {result['errors']} errors")
            rates[name].append(result["rps"])
            served = result["rps"] * args.seconds
            print(
                f"round {round_number}  {name:40s} {result['rps']:9.1f} req/s, workers' CPU per "
                f"request: user {(user_after - user_before) / served * 1e6:5.1f} µs, "
                f"system {(system_after - system_before) / served * 1e6:5.1f} µs",
                flush=True,
            )
    floor = statistics.median(rates["floor, 2 headers"])
    print("\nmedian req/s, and as a share of the floor's median")
    for name, values in rates.items():
        median = statistics.median(values)
        print(f"{name:40s} {median:9.1f}  {median / floor:6.1%}")


if __name__ == "__main__":
    main()
