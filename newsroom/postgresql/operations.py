"""Migration operations for a large database.

`AddIndexConcurrentlyOnPostgreSQL` builds an index without blocking writes to its table
(PostgreSQL's CREATE INDEX CONCURRENTLY, which cannot run in a transaction: its migration sets
`atomic = False`); elsewhere (SQLite) it is a plain `AddIndex`. Used by the migrations that
add indexes to large tables (articles 0021, jobs 0002, published 0002).
"""

from __future__ import annotations

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations


class AddIndexConcurrentlyOnPostgreSQL(AddIndexConcurrently):
    """`AddIndexConcurrently` on PostgreSQL, a plain `AddIndex` elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.AddIndex.database_forwards(
                self, app_label, schema_editor, from_state, to_state
            )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.AddIndex.database_backwards(
                self, app_label, schema_editor, from_state, to_state
            )
