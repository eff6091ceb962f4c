"""Every statement that writes the published article table NOTIFYs `published_article_changed`
(PostgreSQL only): each server process listens, and drops the 304 answers it keeps for
repeated revalidations (newsroom/not_modified.py). A statement-level trigger, so a publish,
an edit, a retraction, a bulk rebuild or a TRUNCATE each notify once, whoever runs it.
"""

from django.db import migrations

CREATE_SQL = """
CREATE FUNCTION articles_notify_published_article_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('published_article_changed', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER articles_published_article_changed
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON articles_publishedarticle
FOR EACH STATEMENT EXECUTE FUNCTION articles_notify_published_article_changed();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS articles_published_article_changed ON articles_publishedarticle;
DROP FUNCTION IF EXISTS articles_notify_published_article_changed();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_SQL)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("articles", "0012_published_search_vector")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
