"""Tags and authors of published articles, beside their publish time (the published world,
docs/architecture.md): tag and author lists become one range scan of (tag or author, publish time).

Filled here from the editing tables for the articles already published; from then on the
publish door writes them with each `PublishedArticle` row.
"""

import django.db.models.deletion
from django.db import migrations, models


FILL_SQL = [
    """
    INSERT INTO articles_publishedarticletag (article_id, tag_id, published_at)
    SELECT tagged.content_object_id, tagged.tag_id, published.published_at
    FROM articles_taggedarticle tagged
    JOIN articles_publishedarticle published ON published.article_id = tagged.content_object_id
    """,
    """
    INSERT INTO articles_publishedarticleauthor (article_id, author_id, published_at)
    SELECT byline.article_id, byline.author_id, published.published_at
    FROM articles_byline byline
    JOIN articles_publishedarticle published ON published.article_id = byline.article_id
    """,
]


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_desks"),
        ("tagging", "0004_tag_name_key_unique"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublishedArticleAuthor",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "article",
                        "author",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("published_at", models.DateTimeField()),
                (
                    "article",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="author_rows",
                        to="articles.publishedarticle",
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="articles.author",
                    ),
                ),
            ],
            options={
                "verbose_name": "published article author",
                "verbose_name_plural": "published article authors",
                "indexes": [
                    models.Index(
                        fields=["author", "-published_at", "-article"], name="published_author_idx"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="PublishedArticleTag",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "article",
                        "tag",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("published_at", models.DateTimeField()),
                (
                    "article",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tag_rows",
                        to="articles.publishedarticle",
                    ),
                ),
                (
                    "tag",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tagging.topictag",
                    ),
                ),
            ],
            options={
                "verbose_name": "published article tag",
                "verbose_name_plural": "published article tags",
                "indexes": [
                    models.Index(
                        fields=["tag", "-published_at", "-article"], name="published_tag_idx"
                    )
                ],
            },
        ),
        migrations.RunSQL(FILL_SQL, reverse_sql=migrations.RunSQL.noop),
    ]
