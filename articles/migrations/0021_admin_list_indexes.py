"""Indexes for the admin's article list (`articles.admin.articles.ArticleAdmin`).

The list shows the articles in use (`deleted_at IS NULL`) last updated first, filtered by
status, section, both or language, or sorted by publish or creation time; the trash is the
other part. Each index below is partial on that condition and ends with the list's order, so
a page is read from an index without sorting every matching row (docs/performance.md).

On PostgreSQL the indexes are built with CREATE INDEX CONCURRENTLY: at a million articles a
plain build would block every save of an article for its duration. Such a build cannot run
in a transaction, hence `atomic = False`. SQLite builds them plainly.
"""

from django.db import migrations, models

from newsroom.postgresql.operations import AddIndexConcurrentlyOnPostgreSQL

IN_USE = models.Q(deleted_at__isnull=True)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("articles", "0020_move_published_world_to_published")]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="article",
            index=models.Index(
                condition=IN_USE, fields=["-updated_at", "-id"], name="articles_admin_updated_idx"
            ),
        ),
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="article",
            index=models.Index(
                condition=IN_USE,
                fields=["status", "-updated_at", "-id"],
                name="articles_admin_status_idx",
            ),
        ),
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="article",
            index=models.Index(
                condition=IN_USE,
                fields=["section", "-updated_at", "-id"],
                name="articles_admin_section_idx",
            ),
        ),
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="article",
            index=models.Index(
                condition=IN_USE,
                fields=["section", "status", "-updated_at", "-id"],
                name="articles_admin_sect_stat_idx",
            ),
        ),
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="article",
            index=models.Index(
                condition=IN_USE,
                fields=["language", "-updated_at", "-id"],
                name="articles_admin_language_idx",
            ),
        ),
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="article",
            index=models.Index(
                condition=IN_USE,
                fields=["-published_at", "-id"],
                name="articles_admin_published_idx",
            ),
        ),
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="article",
            index=models.Index(
                condition=IN_USE, fields=["-created_at", "-id"], name="articles_admin_created_idx"
            ),
        ),
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="article",
            index=models.Index(
                condition=models.Q(deleted_at__isnull=False),
                fields=["-updated_at", "-id"],
                name="articles_admin_trash_idx",
            ),
        ),
    ]
