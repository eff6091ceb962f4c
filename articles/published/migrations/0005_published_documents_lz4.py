"""The published documents and teasers compressed with LZ4 in TOAST (PostgreSQL 14+ built
with lz4; otherwise left as they are): writing a batch of patched documents took ~5× as long
with the default pglz (docs/performance.md, "Renames in the background"). Only values
written from now on are compressed so; `manage.py published_rebuild` rewrites the rest."""

from django.db import migrations

COLUMNS = ("document", "teaser")


def _set_compression(schema_editor, method: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    columns = ", ".join(f"ALTER COLUMN {c} SET COMPRESSION {method}" for c in COLUMNS)
    schema_editor.execute(
        "DO $$ BEGIN "
        f"ALTER TABLE articles_publishedarticle {columns}; "
        "EXCEPTION WHEN feature_not_supported THEN NULL; "
        "END $$"
    )


def forwards(apps, schema_editor):
    _set_compression(schema_editor, "lz4")


def backwards(apps, schema_editor):
    _set_compression(schema_editor, "default")


class Migration(migrations.Migration):
    dependencies = [
        ("published", "0004_cache_tags_backfill"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
