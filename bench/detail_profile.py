# ruff: noqa: T201 - a developer script that prints its figures
"""Where a detail request's time goes, in one process: E3 through `newsroom.wsgi`.

Calls the WSGI application gunicorn calls (the 304 cache in front of Django included) with
a plain GET of an article, over the slugs of a seeded bench database, and prints the CPU time
this process spent per request (the one SQL query's wait on PostgreSQL is not in it), then,
with `--profile`, cProfile's functions by cumulative time, or with `--steps` the CPU time
spent inside each of the request's main steps (`STEPS`), timed as they run among the rest of
the request: code that a loop of its own keeps in the CPU's caches costs two to three times
less there (docs/performance.md, "Seventh round"); with `--gc`, the garbage collector's
passes and the CPU time they took. Run it against a database that
`make bench` seeded, with the bench's settings:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench DEBUG=0 \\
        SECURE_SSL_REDIRECT=0 API_ANON_THROTTLE_RATE=100000000/min \\
        .venv/bin/python bench/detail_profile.py --requests 5000 [--profile | --steps] [--gc]
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import functools
import gc
import importlib
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


# The steps `--steps` times: (module, class, method); a class of None times a module's
# function, a method of "send" one of Django's request signals. Steps nest (the handler holds
# everything after it), so each line is inclusive.
STEPS = [
    ("django.core.handlers.wsgi", "WSGIHandler", "__call__"),
    ("django.core.handlers.wsgi", "WSGIRequest", "__init__"),
    ("django.core.signals", "request_started", "send"),
    ("django.core.handlers.base", "BaseHandler", "resolve_request"),
    ("rest_framework.views", "APIView", "dispatch"),
    ("rest_framework.views", "APIView", "initial"),
    ("rest_framework.views", "APIView", "perform_content_negotiation"),
    ("rest_framework.views", "APIView", "perform_authentication"),
    ("rest_framework.views", "APIView", "check_throttles"),
    ("rest_framework.generics", "ListAPIView", "get"),
    ("rest_framework.generics", "RetrieveAPIView", "get"),
    ("articles.published.api.views", "ArticleListView", "listing"),
    ("articles.published.api.views", "ArticleListBase", "listing"),
    ("articles.published.api.views", "SearchView", "listing"),
    ("articles.published.models", "PublishedArticleQuerySet", "detail_row"),
    ("articles.published.models", "VisibleListing", "__getitem__"),
    ("articles.published.models", "VisibleSearch", "__getitem__"),
    ("rest_framework.pagination", "CursorPagination", "get_next_link"),
    ("rest_framework.response", "Response", "__init__"),
    ("django.template.response", "SimpleTemplateResponse", "render"),
    ("rest_framework.views", "APIView", "finalize_response"),
    ("newsroom.http.middleware", "ConditionalGetMiddleware", "process_response"),
    ("django.middleware.common", "CommonMiddleware", "process_request"),
    ("django.middleware.security", "SecurityMiddleware", "process_response"),
    ("django.middleware.csrf", "CsrfViewMiddleware", "process_request"),
    ("django.middleware.clickjacking", "XFrameOptionsMiddleware", "process_response"),
    ("django.http.response", "HttpResponseBase", "close"),
    ("django.core.signals", "request_finished", "send"),
]


def time_steps(totals: collections.Counter) -> None:
    """Wrap each of `STEPS` so that it adds the thread's CPU time it took to `totals`."""
    for module_name, owner_name, method in STEPS:
        owner = getattr(importlib.import_module(module_name), owner_name, None)
        if owner is None:  # a step another version of the code does not have
            continue
        label = f"{owner_name}.{method}"

        def timed(function, label=label):
            @functools.wraps(function)
            def step(*args, **kwargs):
                started = time.thread_time()
                try:
                    return function(*args, **kwargs)
                finally:
                    totals[label] += time.thread_time() - started

            return step

        setattr(owner, method, timed(getattr(owner, method)))


def time_collections(collections_seen: collections.Counter) -> None:
    """Count the garbage collector's passes by generation, and the CPU time they take."""
    started = [0.0]

    def callback(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.thread_time()
        else:
            collections_seen[f"generation {info['generation']} passes"] += 1
            collections_seen["collector CPU (s)"] += time.thread_time() - started[0]

    gc.callbacks.append(callback)


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
    parser.add_argument(
        "--steps", action="store_true", help="CPU time inside each of STEPS, per request"
    )
    parser.add_argument(
        "--gc", action="store_true", help="the garbage collector's passes and CPU time"
    )
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

    steps: collections.Counter = collections.Counter()
    if args.steps:
        time_steps(steps)
    collections_seen: collections.Counter = collections.Counter()
    if args.gc:
        time_collections(collections_seen)
    serve(max(len(paths), 20))  # warm: connection, prepared statement, imports
    statuses.clear()
    steps.clear()
    collections_seen.clear()
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
    for label, seconds in steps.items():
        print(f"  {label:45s} {1e6 * seconds / args.requests:7.1f} µs")
    if args.gc and not collections_seen:
        print(f"  garbage collector: no passes in {args.requests} requests")
    for label, count in collections_seen.items():
        if label.endswith("(s)"):
            print(f"  garbage collector: {1e6 * count / args.requests:.1f} µs CPU per request")
        else:
            print(f"  garbage collector: {count} {label} in {args.requests} requests")
    if profiler:
        if args.save:
            profiler.dump_stats(args.save)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
