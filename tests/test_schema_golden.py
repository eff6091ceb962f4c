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

GOLDEN_DIR = Path(__file__).parent / "golden"

POSTGRESQL_QUERIES = {
    "columns": """
        SELECT table_name, column_name, data_type, is_nullable, column_default,
               character_maximum_length
        FROM information_schema.columns WHERE table_schema = 'public'
        ORDER BY table_name, column_name
    """,
    "indexes": """
        SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
        ORDER BY tablename, indexname
    """,
    "constraints": """
        SELECT rel.relname, con.conname, pg_get_constraintdef(con.oid)
        FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid
        JOIN pg_namespace nsp ON nsp.oid = rel.relnamespace
        WHERE nsp.nspname = 'public' ORDER BY rel.relname, con.conname
    """,
    "triggers": """
        SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid)
        FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2
    """,
    "functions": """
        SELECT proname, pg_get_functiondef(p.oid) FROM pg_proc p
        JOIN pg_namespace nsp ON nsp.oid = p.pronamespace
        WHERE nsp.nspname = 'public' ORDER BY proname
    """,
}
SQLITE_QUERIES = {
    "objects": """
        SELECT type, name, tbl_name, sql FROM sqlite_master
        WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name
    """,
}


def database_schema() -> dict[str, list[list]]:
    queries = POSTGRESQL_QUERIES if connection.vendor == "postgresql" else SQLITE_QUERIES
    schema = {}
    with connection.cursor() as cursor:
        for name, sql in queries.items():
            cursor.execute(sql)
            schema[name] = [list(row) for row in cursor.fetchall()]
    return schema


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
