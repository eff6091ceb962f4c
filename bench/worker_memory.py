# ruff: noqa: T201, S603 - a developer script that prints its figures; fixed command lines
"""What a web worker holds: RSS after `import newsroom.wsgi`, after its URLconf, and after
serving public requests, each in a fresh interpreter as gunicorn starts one.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench DEBUG=0 \\
        SECURE_SSL_REDIRECT=0 .venv/bin/python bench/worker_memory.py [--production] \\
        [--serve 2000] [--modules]

`--production` makes the packages of requirements-dev.txt that DRF and `django.test`
import when they are installed (`requests`, `pygments`, `jinja2`) unimportable, as in a
production install. `--serve N` then sends N public GETs (lists, a tag's list, details over
the database's articles, a search, a 304) through the WSGI application and reports VmHWM,
the peak a gunicorn worker's figure in `make bench` counts. `--modules` lists the modules
loaded after the URLconf, by top-level package.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import io, json, os, sys

BLOCKED = set(json.loads(os.environ["WORKER_MEMORY_BLOCKED"]))


class Blocker:
    # A production install has no dev-only packages: importing them fails there.
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is not installed in production")


sys.meta_path.insert(0, Blocker())


def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024


def environ(path, query="", **headers):
    return {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8031", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8031", "HTTP_ACCEPT": "*/*", "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
        "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
        **{"HTTP_" + k.upper(): v for k, v in headers.items()},
    }


out = {}
from newsroom.wsgi import application

out["wsgi"] = [status("VmRSS"), len(sys.modules)]
from django.urls import get_resolver

get_resolver().url_patterns
out["urlconf"] = [status("VmRSS"), len(sys.modules)]
if os.environ.get("WORKER_MEMORY_MODULES") == "1":
    out["modules"] = sorted(sys.modules)
serve = int(os.environ.get("WORKER_MEMORY_SERVE", "0"))
if serve:
    from django.db.models import Count

    from articles.published.models import PublishedArticle
    from tagging.models import TopicTag

    slugs = list(PublishedArticle.objects.visible().values_list("slug", flat=True)[:1000])
    # The 50th most used tag, as make bench's E2 without a shared data set.
    tags = TopicTag.objects.annotate(n=Count("tagged_articles")).order_by("-n", "id")
    tag = tags.values_list("slug", flat=True)[49]
    answers = {}

    def get(env):
        body = application(env, lambda s, h, exc_info=None: answers.update(s=s, h=dict(h)))
        b"".join(body)
        if hasattr(body, "close"):  # the 304 cache answers with a plain list
            body.close()
        return answers["s"][:3], answers["h"]

    etag = get(environ(f"/api/v1/articles/{slugs[0]}/"))[1]["ETag"]
    statuses = set()
    for number in range(serve):
        kind = number % 5
        if kind == 0:
            env = environ("/api/v1/articles/", "page_size=20")
        elif kind == 1:
            env = environ("/api/v1/articles/", f"tag={tag}&page_size=20")
        elif kind == 2:
            env = environ(f"/api/v1/articles/{slugs[number % len(slugs)]}/")
        elif kind == 3:
            env = environ("/api/v1/search/", "q=pemerintah&page_size=20")
        else:
            env = environ(f"/api/v1/articles/{slugs[0]}/", if_none_match=etag)
        statuses.add(get(env)[0])
    out["served"] = [status("VmRSS"), len(sys.modules), status("VmHWM"), sorted(statuses)]
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--production", action="store_true", help="no dev-only packages")
    parser.add_argument("--serve", type=int, default=0, help="public GETs to serve after")
    parser.add_argument("--modules", action="store_true", help="list modules by package")
    args = parser.parse_args()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "WORKER_MEMORY_BLOCKED": json.dumps(
            ["requests", "pygments", "jinja2"] if args.production else []
        ),
        "WORKER_MEMORY_SERVE": str(args.serve),
        "WORKER_MEMORY_MODULES": "1" if args.modules else "0",
    }
    env.setdefault("DEBUG", "0")
    env.setdefault("SECURE_SSL_REDIRECT", "0")
    env.setdefault("API_ANON_THROTTLE_RATE", "100000000/min")
    out = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=REPO, env=env, capture_output=True, text=True
    )
    if out.returncode:
        raise SystemExit(out.stderr)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"{'production install' if args.production else 'this virtualenv'}; load {load}")
    print(f"after newsroom.wsgi: {result['wsgi'][0]:.1f} MiB, {result['wsgi'][1]} modules")
    print(f"after the URLconf:   {result['urlconf'][0]:.1f} MiB, {result['urlconf'][1]} modules")
    if "served" in result:
        rss, modules, peak, statuses = result["served"]
        print(
            f"after {args.serve} requests: {rss:.1f} MiB (peak {peak:.1f} MiB), "
            f"{modules} modules, statuses {statuses}"
        )
    if args.modules:
        packages: dict[str, int] = {}
        for name in result["modules"]:
            packages[name.split(".")[0]] = packages.get(name.split(".")[0], 0) + 1
        for name, count in sorted(packages.items(), key=lambda item: -item[1]):
            print(f"  {name}: {count}")


if __name__ == "__main__":
    main()
