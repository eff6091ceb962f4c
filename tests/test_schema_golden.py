"""The database schema the migrations build, held against golden files.

Tables, columns, indexes, constraints and triggers of the test database (built by running
every migration from an empty database) must equal `tests/golden/schema_<vendor>.json`.
Moving a model to another app or module keeps its table (`db_table`, and
`SeparateDatabaseAndState` in the migrations), so it leaves these files alone; a deliberate
schema change rewrites them, and the diff is reviewed with its migration:

    GOLDEN_UPDATE=1 .venv/bin/pytest tests/test_schema_golden.py
    GOLDEN_UPDATE=1 DATABASE_URL=postgres://… .venv/bin/pytest tests/test_schema_golden.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.db import connection

from tests.support.schema import database_schema

GOLDEN_DIR = Path(__file__).parent / "golden"


@pytest.mark.django_db
def test_the_migrations_build_the_recorded_schema():
    schema = database_schema()
    path = GOLDEN_DIR / f"schema_{connection.vendor}.json"
    if os.environ.get("GOLDEN_UPDATE"):
        path.write_text(json.dumps(schema, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    golden = json.loads(path.read_text(encoding="utf-8"))
    for part, rows in schema.items():
        missing = [row for row in golden[part] if row not in rows]
        extra = [row for row in rows if row not in golden[part]]
        assert (missing, extra) == ([], []), part
