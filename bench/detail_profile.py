# ruff: noqa: T201 - a developer script that prints its figures
"""Where a detail request's time goes, in one process: E3 through `newsroom.wsgi`.

Calls the WSGI application gunicorn calls (the 304 cache in front of Django included) with
a plain GET of an article, over the slugs of a seeded bench database, and prints the CPU time
this process spent per request (the one SQL query's wait on PostgreSQL is not in it), then,
with `--profile`, cProfile's functions by cumulative time. Run it against a database that
`make bench` seeded, with the bench's settings:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench DEBUG=0 \\
        SECURE_SSL_REDIRECT=0 API_ANON_THROTTLE_RATE=100000000/min \\
        .venv/bin/python bench/detail_profile.py --requests 5000 [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")


def environ(url: str) -> dict:
    path, _, query = url.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8031",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8031",
        "HTTP_ACCEPT": "*/*",
        "HTTP_USER_AGENT": "wrk",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--slugs", type=int, default=1000, help="distinct articles, rotated")
    parser.add_argument("--profile", action="store_true", help="cProfile, by cumulative time")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument(
        "--url", help="serve this URL (path and query) instead, e.g. E4's search, every time"
    )
    parser.add_argument("--save", help="with --profile: also write pstats to this file")
    args = parser.parse_args()

    import django

    django.setup()
    from articles.published.models import PublishedArticle
    from newsroom.wsgi import application

    slugs = list(
        PublishedArticle.objects.visible()
        .order_by("?")
        .values_list("slug", flat=True)[: args.slugs]
    )
    paths = [args.url] if args.url else [f"/api/v1/articles/{slug}/" for slug in slugs]
    statuses = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    def serve(count: int) -> None:
        for number in range(count):
            body = application(environ(paths[number % len(paths)]), start_response)
            b"".join(body)
            body.close()

    serve(max(len(paths), 20))  # warm: connection, prepared statement, imports
    statuses.clear()
    # CPU time, not wall time: on a loaded machine waiting for a core is not the code's cost.
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    cpu, wall = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    serve(args.requests)
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert set(statuses) == {"200 OK"}, set(statuses)
    print(
        f"{args.requests} requests over {len(paths)} URLs: "
        f"{1e6 * cpu / args.requests:.0f} µs CPU and {1e6 * wall / args.requests:.0f} µs wall "
        f"per request{' (profiled)' if profiler else ''}; "
        f"load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])}"
    )
    if profiler:
        if args.save:
            profiler.dump_stats(args.save)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
