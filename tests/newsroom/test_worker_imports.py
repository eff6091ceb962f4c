"""A web worker starts without what public requests never use (docs/performance.md, "Worker
memory"): checked in a fresh interpreter, as gunicorn starts one."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOT_AT_START = ["PIL", "snowballstemmer", "redis", "drf_spectacular.views"]


def test_a_web_worker_loads_no_pillow_stemmer_redis_client_or_schema_views():
    script = (
        "import json, sys; import newsroom.wsgi;"
        "from django.urls import resolve; resolve('/api/v1/articles/some-slug/');"
        f"print(json.dumps([name for name in {NOT_AT_START!r} if name in sys.modules]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DATABASE_URL": "sqlite:///:memory:",
        "CACHE_URL": "",
    }
    out = subprocess.run(  # noqa: S603 - fixed command line
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True
    )

    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
