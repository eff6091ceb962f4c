"""The schema of a database as plain rows, to compare two databases or one with a golden file."""

from __future__ import annotations

from django.db import connection

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


def database_schema(connection=connection) -> dict[str, list[list]]:
    """The schema of `connection`'s database, as rows of the queries above."""
    queries = POSTGRESQL_QUERIES if connection.vendor == "postgresql" else SQLITE_QUERIES
    schema = {}
    with connection.cursor() as cursor:
        for name, sql in queries.items():
            cursor.execute(sql)
            schema[name] = [list(row) for row in cursor.fetchall()]
    return schema
