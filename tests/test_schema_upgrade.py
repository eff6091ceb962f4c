"""A database made by the code of before the homes moved (`UPGRADE_FROM`), then migrated by
today's code, ends with the schema a fresh database gets (`tests/golden/schema_postgresql.json`),
and permissions granted on moved models stay granted.

Models moved between apps keep their tables (`SeparateDatabaseAndState`); their content types
follow them. The old code is taken from git history (`git archive`), so a clone without that
history fails this test loudly instead of passing without it.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from tests.support.concurrency import postgresql_only
from tests.support.schema import database_schema

BASE_DIR = Path(__file__).resolve().parents[1]
# main before the homes moved (issue 16 merged, golden files recorded); its schema is the
# one `tests/golden/schema_postgresql.json` holds.
UPGRADE_FROM = "157f79f"


class _Database:
    """Enough of a Django connection for `database_schema`, on a database of our own."""

    vendor = "postgresql"

    def __init__(self, url: str):
        self.connection = psycopg.connect(url, autocommit=True)

    def cursor(self):
        return self.connection.cursor()


def _migrate(code_dir: Path, url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "newsroom.settings"}
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=code_dir,
        env=env,
        check=True,
        timeout=300,
    )


@pytest.fixture
def scratch_database():
    database = settings.DATABASES["default"]
    name = f"{database['NAME']}_upgrade"
    server = {
        "host": database["HOST"] or None,
        "port": database["PORT"] or None,
        "user": database["USER"] or None,
        "password": database["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    user = database["USER"] or ""
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    url = f"postgres://{user}{password}@{database['HOST']}:{database['PORT'] or 5432}/{name}"
    yield url
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@postgresql_only
@pytest.mark.django_db
def test_a_database_from_before_the_move_upgrades_to_the_fresh_schema(tmp_path, scratch_database):
    archive = subprocess.run(  # noqa: S603
        ["git", "archive", "--format=tar", UPGRADE_FROM],  # noqa: S607
        cwd=BASE_DIR,
        capture_output=True,
        check=True,
    ).stdout
    old_code = tmp_path / "old"
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(old_code, filter="data")

    _migrate(old_code, scratch_database)
    upgraded = _Database(scratch_database)
    with upgraded.cursor() as cursor:
        cursor.execute(
            "SELECT p.codename FROM auth_group_permissions gp "
            "JOIN auth_group g ON g.id = gp.group_id JOIN auth_permission p "
            "ON p.id = gp.permission_id WHERE g.name = 'Writer' ORDER BY 1"
        )
        writer_before = [row[0] for row in cursor.fetchall()]
    _migrate(BASE_DIR, scratch_database)

    golden = json.loads((BASE_DIR / "tests/golden/schema_postgresql.json").read_text())
    schema = database_schema(upgraded)
    for part, rows in schema.items():
        assert sorted(map(tuple, rows)) == sorted(map(tuple, golden[part])), part
    with upgraded.cursor() as cursor:
        cursor.execute(
            "SELECT app_label, model FROM django_content_type WHERE model IN "
            "('photo', 'photorendition', 'backgroundjob', 'publishedarticle', "
            "'webhooksubscription') ORDER BY 1, 2"
        )
        content_types = cursor.fetchall()
        cursor.execute(
            "SELECT ct.app_label, p.codename FROM auth_group_permissions gp "
            "JOIN auth_group g ON g.id = gp.group_id JOIN auth_permission p "
            "ON p.id = gp.permission_id JOIN django_content_type ct ON ct.id = p.content_type_id "
            "WHERE g.name = 'Writer' ORDER BY 2"
        )
        writer_after = cursor.fetchall()
    upgraded.connection.close()
    # One content type per moved model, under its new app; none left behind.
    assert content_types == [
        ("jobs", "backgroundjob"),
        ("photos", "photo"),
        ("photos", "photorendition"),
        ("published", "publishedarticle"),
        ("published", "webhooksubscription"),
    ]
    # The Writer keeps every permission, those on photos now under `photos`.
    assert [codename for _label, codename in writer_after] == writer_before
    assert ("photos", "add_photo") in writer_after
