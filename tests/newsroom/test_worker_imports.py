"""A web worker starts, and serves the public API, without what public requests never use
(docs/performance.md, "Worker memory"): checked in a fresh interpreter, as gunicorn starts
one, through the WSGI application gunicorn calls."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Celery and kombu (loaded to send work), Pillow (photo work), the stemmers (tag
# suggestions), the redis client (a Redis cache), the schema generator and schema class
# (/api/schema/) with what they import (`django.test`, `unittest`, `jinja2`), the
# admins (the admin's URLconf discovers them) and the WordPress importer (its job); the
# publish door and what it calls (the editing services, what subscribers are told, the
# suggestions, the counts per day), the photo services, the HTML sanitiser (nh3), the write
# API's views, the feeds and the sitemaps (the first change, save, write API request, feed or
# sitemap imports them); the editorial side's middleware and the sign-in views they import
# (the first editorial request does); PyYAML, uritemplate and inflection, which DRF imports
# only to learn that they are installed (newsroom/deferred_imports.py: `yaml.error` and
# `uritemplate.api` are their first submodules, inflection has none).
NOT_IN_A_WEB_WORKER = [
    "celery",
    "kombu",
    "billiard",
    "PIL",
    "snowballstemmer",
    "redis",
    "drf_spectacular.views",
    "drf_spectacular.openapi",
    "drf_spectacular.generators",
    "django.test",
    "rest_framework.test",
    "unittest",
    "jinja2",
    "django.contrib.admin.views.main",
    "articles.admin",
    "articles.photos.admin",
    "tagging.admin",
    "newsroom.admin_urls",
    "articles.wordpress.importer",
    "articles.published.build",
    "articles.published.fanout",
    "articles.published.notify",
    "articles.published.webhooks",
    "articles.published.suggestions",
    "articles.published.counts",
    "articles.services",
    "articles.photos.services",
    "articles.wordpress.services",
    "nh3",
    "articles.api.article_views",
    "articles.published.feeds",
    "django.contrib.syndication",
    "articles.published.sitemaps",
    "django.contrib.sitemaps.views",
    "xml.etree",
    "django.contrib.sessions.middleware",
    "django.middleware.locale",
    "django.contrib.auth.middleware",
    "django.contrib.auth.views",
    "django.contrib.messages.middleware",
    "yaml.error",
    "uritemplate.api",
]

SERVE = """
import io, json, sys
from newsroom.wsgi import application

def get(path, query=""):
    statuses = []
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
    }
    body = application(environ, lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(body)
    body.close()
    return statuses[0][:3]

statuses = [
    get("/api/v1/articles/", "page_size=5"),
    get("/api/v1/articles/no-such-article/"),
    get("/api/v1/search/", "q=banjir"),
    get("/api/v1/tags/"),
]
loaded = [n for n in NAMES if n in sys.modules]
if "pluralize" in vars(sys.modules["inflection"]):
    loaded.append("inflection")
print(json.dumps({"statuses": statuses, "loaded": loaded}))
"""

SCHEMA = """
import io, json, sys
from newsroom.wsgi import application

def get(query):
    statuses = []
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": "/api/schema/", "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
    }
    body = application(environ, lambda status, headers, exc_info=None: statuses.append(status))
    content = b"".join(body)
    body.close()
    return statuses[0][:3], content.decode()

deferred_before = type(sys.modules["yaml"]).__name__
yaml_status, yaml_text = get("")
json_status, json_text = get("format=json")
import yaml

print(json.dumps({
    "deferred_before": deferred_before,
    "statuses": [yaml_status, json_status],
    "yaml_start": yaml_text[:15],
    "same_schema": yaml.safe_load(yaml_text) == json.loads(json_text),
}))
"""


def worker_environment(tmp_path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "NEWSROOM_VAR_DIR": str(tmp_path),
        "CACHE_URL": "",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
    }


def test_a_web_worker_serving_the_public_api_loads_only_what_public_reads_use(tmp_path):
    env = worker_environment(tmp_path)
    # The tables first, in a process of its own: migrating imports what serving must not.
    migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v0"]
    subprocess.run(migrate, cwd=REPO, env=env, check=True)  # noqa: S603 - fixed command line

    script = f"NAMES = {NOT_IN_A_WEB_WORKER!r}\n{SERVE}"
    out = subprocess.run(  # noqa: S603 - fixed command line
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True
    )

    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"statuses": ["200", "404", "200", "200"], "loaded": []}


def test_a_web_worker_imports_pyyaml_when_it_serves_the_schema(tmp_path):
    out = subprocess.run(  # noqa: S603 - fixed command line
        [sys.executable, "-c", SCHEMA],
        cwd=REPO,
        env=worker_environment(tmp_path),
        capture_output=True,
        text=True,
    )

    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {
        "deferred_before": "DeferredModule",
        "statuses": ["200", "200"],
        "yaml_start": "openapi: 3.0.3\n",
        "same_schema": True,
    }
