"""A GIN index of the headline's words as written, without stemming, for the admin's
headline autocomplete (`articles.models.search.search_headline_prefix`): the stemmed search
vector cannot match a prefix an editor types ("peme" for "Pemerintah", stemmed "perintah").

The expression is the SQL of `HEADLINE_WORDS` exactly, so the planner uses the index. Built
concurrently on PostgreSQL (a plain build would block every save of an article while it runs
at a million articles), hence `atomic = False`; nothing on SQLite, which matches substrings.
"""

from django.db import migrations

CREATE_SQL = """
CREATE INDEX CONCURRENTLY IF NOT EXISTS articles_headline_words_idx ON articles_article
USING gin (to_tsvector('simple'::regconfig, COALESCE(headline, '')));
"""

DROP_SQL = "DROP INDEX CONCURRENTLY IF EXISTS articles_headline_words_idx;"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_SQL)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("articles", "0021_admin_list_indexes")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
