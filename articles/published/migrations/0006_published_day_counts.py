"""Counts per day of the published world for the editors' dashboard (`articles.published.counts`):
published articles per (day, section) and per (day, tag), the day in the site's time zone,
kept by the publish door from now on and counted here from the published rows there are.

The backfill reads the whole published world once (two aggregates: at a million articles
about a minute). Code older than this migration publishes without counting: if it published
while the migration ran or after (a rolling deploy), `manage.py published_rebuild
--counts-only` counts again.
"""

from zoneinfo import ZoneInfo

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Count
from django.db.models.functions import TruncDate


def count_published(apps, schema_editor):
    zone = ZoneInfo(settings.TIME_ZONE)
    db = schema_editor.connection.alias
    for source, target, key in (
        ("PublishedArticle", "PublishedSectionDay", "section_id"),
        ("PublishedArticleTag", "PublishedTagDay", "tag_id"),
    ):
        model = apps.get_model("published", target)
        rows = (
            apps.get_model("published", source)
            .objects.using(db)
            .annotate(day=TruncDate("published_at", tzinfo=zone))
            .values_list("day", key)
            .annotate(n=Count("*"))
            .order_by()
        )
        model.objects.using(db).bulk_create(
            (model(day=day, **{key: pk}, count=n) for day, pk, n in rows.iterator()),
            batch_size=5000,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0023_dashboard_published_index"),
        ("published", "0005_published_documents_lz4"),
        ("tagging", "0005_tagalias_name_key_null"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublishedSectionDay",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "day",
                        "section",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("day", models.DateField()),
                ("count", models.IntegerField(default=0)),
                (
                    "section",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="articles.section",
                    ),
                ),
            ],
            options={
                "verbose_name": "published articles of a section on a day",
                "verbose_name_plural": "published articles of sections per day",
            },
        ),
        migrations.CreateModel(
            name="PublishedTagDay",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "day", "tag", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("day", models.DateField()),
                ("count", models.IntegerField(default=0)),
                (
                    "tag",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tagging.topictag",
                    ),
                ),
            ],
            options={
                "verbose_name": "published articles with a tag on a day",
                "verbose_name_plural": "published articles with tags per day",
            },
        ),
        migrations.RunPython(count_published, migrations.RunPython.noop, elidable=True),
    ]
