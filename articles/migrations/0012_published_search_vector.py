"""A search vector on each published row (the published world, docs/architecture.md): search
reads one table, through its own GIN index, instead of joining the editing table's vector.

The publish door copies the article's trigger-maintained `search_vector` at each build; this
fills it for the rows already built. PostgreSQL only, like migration 0004: SQLite searches by
substring and leaves the column empty.
"""

import django.contrib.postgres.search
from django.db import migrations

CREATE_SQL = """
UPDATE articles_publishedarticle published
SET search_vector = article.search_vector
FROM articles_article article
WHERE article.id = published.article_id;

CREATE INDEX articles_published_search_vector_idx
ON articles_publishedarticle USING gin (search_vector);
"""

DROP_SQL = "DROP INDEX IF EXISTS articles_published_search_vector_idx;"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_SQL)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("articles", "0011_published_tags_authors")]

    operations = [
        migrations.AddField(
            model_name="publishedarticle",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create_index, drop_index),
    ]
