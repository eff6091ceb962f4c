"""Tag names now also ignore separators: merge the tags that differ only in them.

`tagging.text.tag_name_key` makes "Pilkada-2026", "pilkada 2026" and "PILKADA_2026" one
name. Tags (and aliases) that were different under the old key but are one now are merged,
the way `tagging.services.tag_merge` merges: into the most used tag of the group (the oldest
on a tie); each other tag's articles move to it (an article carrying both keeps one
tagging), its aliases move, and its name and slug become an alias, so its old URL redirects.
Then every tag and alias gets its new key. Tags parked under a "#<id>" key by
`tagging.0003` merge the same way.

This migration works on historical models with a frozen copy of the key function, not by
calling the live service: live code follows later models, which this schema may not have
yet. It lives in `articles` because the tagged tables are here (`tagging` knows no
articles). The published rows of the affected articles get their tag rows moved at once,
so tag pages list them; their stored documents (which name the tags) are rebuilt by their
related-reading job, asked for here and sent by the job sweeper within minutes (tags also
change what those suggestions are). `manage.py published_rebuild` does it at once.
"""

import re
import unicodedata
import uuid
from datetime import UTC, datetime

from django.db import migrations
from django.db.models import Count

_SPACES = re.compile(r"\s+")
_INNER_APOSTROPHE = re.compile(r"(?<=\w)['‘’ʼ`](?=\w)")
_SEPARATOR_RUN = re.compile(
    r"(?:[\s_\-‐‑‒–—―−/\\|:;!?¡¿\"“”„«»'‘’ʼ`()\[\]{}<>*~·•…]|(?!(?<=\d)[.,]\d)[.,])+"
)
# A key never holds "|" (a separator), so this cannot clash while keys are rewritten.
_PARKED = "|{}"
BATCH = 500


def _key(name):
    # A frozen copy of tagging.text.tag_name_key as of this migration.
    display = _SPACES.sub(" ", name or "").strip()
    decomposed = unicodedata.normalize("NFKD", display)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = unicodedata.normalize("NFKC", bare).casefold()
    return _SEPARATOR_RUN.sub(" ", _INNER_APOSTROPHE.sub("", folded)).strip()


def _groups(tags, aliases):
    """Tag ids that are one tag under the new key, as lists of two or more ids. A tag's own
    name and the names of its aliases all count: one key can lead to one tag only."""
    parent = {tag.pk: tag.pk for tag in tags}

    def root(pk):
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    owner = {}
    for tag_id, name in [(t.pk, t.name) for t in tags] + [(a.tag_id, a.name) for a in aliases]:
        key = _key(name)
        if not key:
            continue
        if key in owner:
            parent[root(tag_id)] = root(owner[key])
        else:
            owner[key] = tag_id
    groups = {}
    for tag in tags:
        groups.setdefault(root(tag.pk), []).append(tag.pk)
    return [sorted(ids) for ids in groups.values() if len(ids) > 1]


def _merge(apps, *, source, target):
    """`tag_merge`, frozen: returns the ids of the articles whose tags changed."""
    TagAlias = apps.get_model("tagging", "TagAlias")
    TaggedArticle = apps.get_model("articles", "TaggedArticle")
    PublishedArticleTag = apps.get_model("articles", "PublishedArticleTag")

    articles = set(
        TaggedArticle.objects.filter(tag=source).values_list("content_object_id", flat=True)
    )
    on_target = TaggedArticle.objects.filter(tag=target).values("content_object")
    TaggedArticle.objects.filter(tag=source, content_object__in=on_target).delete()
    TaggedArticle.objects.filter(tag=source).update(tag=target)

    rows = list(PublishedArticleTag.objects.filter(tag=source).values("article", "published_at"))
    PublishedArticleTag.objects.filter(tag=source).delete()
    PublishedArticleTag.objects.bulk_create(
        [
            PublishedArticleTag(
                article_id=row["article"], tag=target, published_at=row["published_at"]
            )
            for row in rows
        ],
        ignore_conflicts=True,
    )

    TagAlias.objects.filter(tag=source).update(tag=target)
    name, slug = source.name, source.slug
    source.delete()
    if TagAlias.objects.filter(slug=slug).exists():
        slug = None
    # Its key is set with the others', below.
    TagAlias.objects.create(tag=target, name=name, slug=slug, name_key=None)
    return articles


def _rewrite_keys(apps):
    """Every tag and alias gets its new key; an alias that spells its tag's own name (or a
    sibling alias's) gets none, and is deleted if it had no URL either."""
    TopicTag = apps.get_model("tagging", "TopicTag")
    TagAlias = apps.get_model("tagging", "TagAlias")

    changed = []
    for tag in TopicTag.objects.order_by("pk").only("pk", "name", "name_key"):
        key = _key(tag.name)
        if key != tag.name_key:
            tag.name_key = key
            changed.append(tag)
    parked = [TopicTag(pk=tag.pk, name_key=_PARKED.format(tag.pk)) for tag in changed]
    TopicTag.objects.bulk_update(parked, ["name_key"], batch_size=BATCH)
    TopicTag.objects.bulk_update(changed, ["name_key"], batch_size=BATCH)

    tag_keys = dict(TopicTag.objects.values_list("pk", "name_key"))
    taken = set()
    keep, redundant = [], []
    for alias in TagAlias.objects.order_by("pk").only("pk", "tag_id", "name", "slug"):
        key = _key(alias.name)
        if key and key != tag_keys[alias.tag_id] and key not in taken:
            taken.add(key)
            alias.name_key = key
            keep.append(alias)
        elif alias.slug:
            alias.name_key = None
            keep.append(alias)
        else:
            redundant.append(alias.pk)
    TagAlias.objects.filter(pk__in=redundant).delete()
    TagAlias.objects.update(name_key=None)
    TagAlias.objects.bulk_update(keep, ["name_key"], batch_size=BATCH)


def _ask_for_rebuilds(apps, article_ids):
    """Queue the related-reading job of each published article among `article_ids`; it
    rebuilds the article's stored document. Sent by the next sweep."""
    PublishedArticle = apps.get_model("articles", "PublishedArticle")
    BackgroundJob = apps.get_model("articles", "BackgroundJob")

    long_ago = datetime(2000, 1, 1, tzinfo=UTC)
    published = PublishedArticle.objects.filter(article_id__in=article_ids)
    for article_id in published.values_list("article_id", flat=True).order_by("article_id"):
        BackgroundJob.objects.update_or_create(
            kind="related_suggestions",
            object_id=article_id,
            defaults={
                "key": uuid.uuid4().hex,
                "status": "pending",
                "attempts": 0,
                "last_error": "",
                "run_after": long_ago,
                "finished_at": None,
            },
        )


def merge_tags_differing_in_separators(apps, schema_editor):
    TopicTag = apps.get_model("tagging", "TopicTag")
    TagAlias = apps.get_model("tagging", "TagAlias")
    TaggedArticle = apps.get_model("articles", "TaggedArticle")

    tags = list(TopicTag.objects.order_by("pk").only("pk", "name"))
    groups = _groups(tags, list(TagAlias.objects.only("tag_id", "name")))
    usage = dict(
        TaggedArticle.objects.values("tag").annotate(n=Count("id")).values_list("tag", "n")
    )
    changed_articles = set()
    for ids in groups:
        # The most used tag stays; on a tie the oldest.
        target_id = min(ids, key=lambda pk: (-usage.get(pk, 0), pk))
        target = TopicTag.objects.get(pk=target_id)
        for source in TopicTag.objects.filter(pk__in=ids).exclude(pk=target_id).order_by("pk"):
            changed_articles |= _merge(apps, source=source, target=target)
    _rewrite_keys(apps)
    _ask_for_rebuilds(apps, changed_articles)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0015_webhooksubscription_active_url_once"),
        ("tagging", "0005_tagalias_name_key_null"),
    ]

    operations = [
        migrations.RunPython(merge_tags_differing_in_separators, migrations.RunPython.noop),
    ]
