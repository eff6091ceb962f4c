"""A covering index for the admin dashboard's 30-day chart and week's tags
(`articles.services.dashboard`): published articles in use by publish time, including the
section (the chart's groups), the creator and the id (desk scoping, `visible_to`), so
PostgreSQL reads a month of articles from the index alone instead of one heap page each
(docs/performance.md, "The admin at a million articles").

Built concurrently on PostgreSQL (`newsroom.postgresql.operations`), hence
`atomic = False`; SQLite builds it plainly, without the included columns.
"""

from django.db import migrations, models

from newsroom.postgresql.operations import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("articles", "0022_headline_words_index")]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="article",
            index=models.Index(
                condition=models.Q(status="published", deleted_at__isnull=True),
                fields=["published_at"],
                include=["section", "created_by", "id"],
                name="articles_dash_published_idx",
            ),
        ),
    ]
