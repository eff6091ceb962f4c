"""Running manage.py the way production and CI start it: in a fresh process with a clean
environment, so every setting is read again (pytest's own settings are already loaded)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from tests.support import BASE_DIR

# Variables the tests set themselves; inherited values would make results depend on the shell.
_OWNED = (
    "DEBUG", "SECRET_KEY", "SECRET_KEY_FILE", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS",
    "SITE_URL", "DATABASE_URL", "CELERY_BROKER_URL", "NEWSROOM_VAR_DIR", "CI",
    "DJANGO_SETTINGS_MODULE",
)  # fmt: skip


def run(args: list[str], *, env: dict[str, str], cwd: Path = BASE_DIR):
    clean = {key: value for key, value in os.environ.items() if key not in _OWNED}
    return subprocess.run(  # noqa: S603 (fixed arguments, no shell)
        [sys.executable, *args],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(tmp_path: Path) -> dict[str, str]:
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "news.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://news.example.com",
        "SITE_URL": "https://news.example.com",
        "DATABASE_URL": "postgres://newsroom@db.internal:5432/newsroom",
        "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
        "NEWSROOM_VAR_DIR": str(tmp_path),
    }
