"""Keep `Article.search_vector` current in PostgreSQL, and index it.

A trigger (not Python code) so every write path keeps it current: the admin, the API, bulk
updates and raw SQL. Headline weighs A, dek B, body C; the text-search configuration follows
the article's language (Indonesian or English stemming). On SQLite nothing is created:
search falls back to substring matching there (see `ArticleQuerySet.search`).
"""

import django.contrib.postgres.search
from django.db import migrations

CREATE_SQL = r"""
CREATE FUNCTION articles_article_search_vector_update() RETURNS trigger AS $$
DECLARE
    config regconfig := CASE NEW.language WHEN 'id' THEN 'indonesian'::regconfig
                                          ELSE 'english'::regconfig END;
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector(config, coalesce(NEW.headline, '')), 'A') ||
        setweight(to_tsvector(config, coalesce(NEW.dek, '')), 'B') ||
        setweight(to_tsvector(config, regexp_replace(coalesce(NEW.body, ''), '<[^>]*>', ' ', 'g')), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER articles_article_search_vector_trigger
    BEFORE INSERT OR UPDATE OF headline, dek, body, language ON articles_article
    FOR EACH ROW EXECUTE FUNCTION articles_article_search_vector_update();

-- Search: `ArticleQuerySet.search` matches this column with @@.
CREATE INDEX articles_article_search_vector_idx ON articles_article USING gin (search_vector);

UPDATE articles_article SET headline = headline;
"""

DROP_SQL = """
DROP INDEX IF EXISTS articles_article_search_vector_idx;
DROP TRIGGER IF EXISTS articles_article_search_vector_trigger ON articles_article;
DROP FUNCTION IF EXISTS articles_article_search_vector_update();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_SQL)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_background_jobs")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
