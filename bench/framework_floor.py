# ruff: noqa: T201 - a developer script that prints its figures
"""How much of a detail request (E3) is the framework: CPU per request, in one process.

Serves three things through `newsroom.wsgi`'s application (every middleware, the 304 cache
in front), alternately, and prints the CPU time per request of each:

- a plain Django view under `/api/` answering `{}`: the WSGI handler, URL resolution and
  the middleware, nothing of the API;
- a bare DRF `APIView` under `/api/` answering `{}` with the API's settings (renderer,
  negotiation, throttle): what any DRF view pays on top;
- E3 itself, `/api/v1/articles/<slug>/`, rotating over 1,000 slugs.

The two floors are added to the project's URLconf for this process only. Run it against a
database that `make bench` seeded, with the bench's settings:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench DEBUG=0 \\
        SECURE_SSL_REDIRECT=0 API_ANON_THROTTLE_RATE=100000000/min \\
        .venv/bin/python bench/framework_floor.py [--requests 5000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")


def floor_urlpatterns() -> list:
    import orjson
    from django.http import HttpResponse
    from django.urls import include, path
    from rest_framework.response import Response
    from rest_framework.views import APIView

    def django_view(request):
        return HttpResponse(b"{}", content_type="application/json")

    class DRFView(APIView):
        def get(self, request):
            return Response(orjson.Fragment(b"{}"))

    return [
        path("api/v1/floor-django/", django_view),
        path("api/v1/floor-drf/", DRFView.as_view()),
        path("", include("newsroom.urls")),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    import types

    from django.conf import settings

    floor_urls = types.ModuleType("framework_floor_urls")
    floor_urls.urlpatterns = floor_urlpatterns()
    sys.modules[floor_urls.__name__] = floor_urls
    settings.ROOT_URLCONF = floor_urls.__name__

    from detail_profile import environ

    from articles.published.models import PublishedArticle
    from newsroom.wsgi import application

    slugs = list(PublishedArticle.objects.visible().values_list("slug", flat=True)[:1000])
    served = {
        "Django view (handler, URLs, middleware)": ["/api/v1/floor-django/"],
        "DRF APIView (and DRF's dispatch)": ["/api/v1/floor-drf/"],
        "E3 detail": [f"/api/v1/articles/{slug}/" for slug in slugs],
    }
    statuses = set()

    def start_response(status, headers, exc_info=None):
        statuses.add(status)

    def cpu_per_request(paths: list[str], count: int) -> float:
        started = time.process_time()
        for number in range(count):
            body = application(environ(paths[number % len(paths)]), start_response)
            b"".join(body)
            body.close()
        return 1e6 * (time.process_time() - started) / count

    for paths in served.values():
        cpu_per_request(paths, max(len(paths), 100))  # warm: connection, imports, statements
    assert statuses == {"200 OK"}, statuses
    figures = {name: [] for name in served}
    for _ in range(args.rounds):
        for name, paths in served.items():
            figures[name].append(cpu_per_request(paths, args.requests))
    assert statuses == {"200 OK"}, statuses
    print(f"CPU µs per request, best of {args.rounds} rounds of {args.requests}:")
    for name, values in figures.items():
        print(f"  {name:42} {min(values):7.0f}   (rounds: {', '.join(f'{v:.0f}' for v in values)})")
    print(f"load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")


if __name__ == "__main__":
    main()
