"""`bulk_insert`: `bulk_create` through PostgreSQL's COPY, for the big writes of an import.

Django 5.2's `bulk_create` on PostgreSQL sends the rows as one array per column
(`INSERT … SELECT * FROM UNNEST(…)`), or as one huge multi-row VALUES; psycopg builds either
in Python, escaping every quote of every text, and splits the query text to find its
placeholders. COPY sends each row as a line of text, which psycopg writes with no query to
parse: the same rows for a fraction of the importer's time (docs/performance.md, "WordPress
import").
"""

from __future__ import annotations

import time

from django.db import connections, models, router


def bulk_insert(objs: list[models.Model]) -> list[models.Model]:
    """Insert the unsaved `objs` (all of one model) as `Model.objects.bulk_create(objs)`
    does, and leave them as it does: their ids set, saved. No signals, as `bulk_create`.

    On PostgreSQL two queries whatever the number of rows: the ids taken from the table's
    sequence in the objects' order (as the INSERT would take them; none for a composite
    primary key or ids given), then one COPY; the table's triggers run as for an INSERT.
    Elsewhere `bulk_create` itself. Values that are SQL expressions (`F()`, `Value()`, a
    database default) cannot be copied: use `bulk_create` for those."""
    if not objs:
        return objs
    model = type(objs[0])
    database = router.db_for_write(model)
    connection = connections[database]
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs)
    opts = model._meta
    pk = opts.pk
    for obj in objs:
        # What `bulk_create` does first: a related object saved since this one was made
        # gives its id now (`Byline(article=article)` before the article's INSERT).
        obj._prepare_related_fields_for_save(operation_name="bulk_insert")
    fields = [field for field in opts.concrete_fields if not field.generated]
    with connection.cursor() as cursor:
        missing = [obj for obj in objs if obj.pk is None]
        if missing:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [opts.db_table, pk.column, len(missing)],
            )
            for obj, (value,) in zip(missing, sorted(cursor.fetchall()), strict=True):
                obj.pk = value
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        sql = f"COPY {connection.ops.quote_name(opts.db_table)} ({columns}) FROM STDIN"
        started = time.monotonic()
        # Django's own exceptions (`IntegrityError` for a unique row), as `execute` raises.
        with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            for obj in objs:
                row = []
                for field in fields:
                    value = field.get_db_prep_save(field.pre_save(obj, add=True), connection)
                    if hasattr(value, "resolve_expression"):
                        raise ValueError(f"{model.__name__}.{field.name}: an expression")
                    row.append(value)
                copy.write_row(row)
        if connection.queries_logged:
            # A round trip like a query, but not through `execute`: counted as one (the
            # tests' query budgets, the debug toolbar).
            connection.queries_log.append(
                {"sql": f"{sql} ({len(objs)} rows)", "time": f"{time.monotonic() - started:.3f}"}
            )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = database
    return objs
