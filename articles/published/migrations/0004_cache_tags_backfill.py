"""Give the details published before cache tags existed (0003) their tags, so the HTTP cache
keeps them and a change purges them without waiting for `published_rebuild`.

With the historical models, a superset of what `articles.published.build.article_cache_tags`
names: the article, its section, tags and authors, and every article its related links and
suggestions point at (visible or not). A tag too many only costs a purge; the next rebuild of
the article stores the exact set.
"""

from collections import defaultdict

from django.db import migrations

BATCH = 500


def backfill(apps, schema_editor):
    PublishedArticle = apps.get_model("published", "PublishedArticle")
    PublishedArticleTag = apps.get_model("published", "PublishedArticleTag")
    PublishedArticleAuthor = apps.get_model("published", "PublishedArticleAuthor")
    RelatedLink = apps.get_model("articles", "RelatedLink")
    RelatedSuggestion = apps.get_model("articles", "RelatedSuggestion")
    untagged = PublishedArticle.objects.filter(cache_tags="").order_by("pk")
    last_pk = 0
    while True:
        rows = list(untagged.filter(pk__gt=last_pk)[:BATCH])
        if not rows:
            return
        last_pk = rows[-1].pk
        ids = [row.article_id for row in rows]
        tags = defaultdict(set)
        for row in rows:
            tags[row.article_id] |= {f"article-{row.article_id}", f"section-{row.section_id}"}
        for model, prefix, field in (
            (PublishedArticleTag, "tag", "tag_id"),
            (PublishedArticleAuthor, "author", "author_id"),
            (RelatedLink, "article", "target_article_id"),
            (RelatedSuggestion, "article", "target_id"),
        ):
            pairs = model.objects.filter(article_id__in=ids).values_list("article_id", field)
            for article_id, pk in pairs:
                if pk is not None:
                    tags[article_id].add(f"{prefix}-{pk}")
        for row in rows:
            row.cache_tags = " ".join(sorted(tags[row.article_id]))
        PublishedArticle.objects.bulk_update(rows, ["cache_tags"])


class Migration(migrations.Migration):
    dependencies = [
        ("published", "0003_cache_tags"),
        ("articles", "0022_headline_words_index"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
