"""Every trigger of the published world, in one place (connected in `PublishedConfig.ready`).

Each runs inside the transaction of the change that sent it, so what it builds commits with
that change:

* `articles_changed` (the editing world's announcement, once per change): rebuild those
  articles (and what points at them, for a change of headline, URL or visibility: past
  `PUBLISHED_FANOUT_INLINE_LIMIT` articles, in the background), tell
  subscribers, and rank a republished article's related reading again;
* things several articles show: an author, a section or a tag saved, a photo changed
  (`photo_changed`), a tag merge (`tag_merged`): rebuild the published articles showing
  it, or, past `PUBLISHED_FANOUT_INLINE_LIMIT` articles, record the job that rebuilds them
  in batches after the commit (`articles.published.fanout`);
* an article deleted for good: take its rows out of the counts per day, and rebuild the
  articles whose related reading showed it.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings

from articles.models import Article, TaggedArticle
from articles.published.kinds import (
    FANOUT_AUTHOR,
    FANOUT_PHOTO,
    FANOUT_SECTION,
    FANOUT_TAG,
    FANOUT_TAG_MERGE,
)
from articles.signals import ArticleChanges

# The build, the fan-out, what subscribers are told and the cache purges are imported by
# the receivers that use them, on the first change: a web worker serving only readers never
# loads the publish door (docs/performance.md, "Worker memory").


def articles_changed(sender, changes: ArticleChanges, **kwargs) -> None:
    from articles.published.build import published_refresh
    from articles.published.cache import published_cache_purge, published_cache_snapshot
    from articles.published.fanout import published_sync_fanout
    from articles.published.notify import published_notify, published_told
    from articles.published.suggestions import related_suggestions_request

    # What subscribers had been told, read before anything is rebuilt.
    told = published_told(article_ids=changes.told) if changes.told else {}
    cached = published_cache_snapshot(article_ids=changes.content | changes.links)
    if changes.links:
        published_sync_fanout(article_ids=changes.links)
    if changes.content - changes.links:
        published_refresh(article_ids=changes.content - changes.links)
    if told:
        published_notify(told=told)
    published_cache_purge(before=cached)
    for article_id in sorted(changes.republished):
        related_suggestions_request(article_id=article_id)


def author_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A byline's name, bio or photo changed."""
    from articles.published.cache import cache_purge_request, cache_tag
    from articles.published.fanout import published_fanout

    if not (raw or created):
        published_fanout(kind=FANOUT_AUTHOR, object_id=instance.pk)
        cache_purge_request(tags=[cache_tag("author", instance.pk), cache_tag("authors")])


def section_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A section's name or slug changed: part of its articles' URLs, which links show."""
    from articles.published.cache import cache_purge_request, cache_tag
    from articles.published.fanout import published_fanout

    if not (raw or created):
        published_fanout(kind=FANOUT_SECTION, object_id=instance.pk)
        cache_purge_request(tags=[cache_tag("section", instance.pk), cache_tag("sections")])


def tag_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A tag was renamed."""
    from articles.published.cache import cache_purge_request, cache_tag
    from articles.published.fanout import published_fanout

    if not (raw or created):
        published_fanout(kind=FANOUT_TAG, object_id=instance.pk)
        cache_purge_request(tags=[cache_tag("tag", instance.pk), cache_tag("tags")])


def tag_deleted(sender, instance, **kwargs) -> None:
    """A tag merged into another (or deleted): its answers now redirect or are gone."""
    from articles.published.cache import cache_purge_request, cache_tag

    cache_purge_request(
        tags=[cache_tag("tag", instance.pk), cache_tag("tag-articles", instance.pk), "tags"]
    )


def tag_merged(sender, target, items: dict, **kwargs) -> None:
    """A tag merge moved these articles to `target`: they are rebuilt and subscribers hear
    about the ones readers can see (past the inline limit, in the background: those whose
    document changed)."""
    from articles.published.build import published_refresh
    from articles.published.cache import published_cache_purge, published_cache_snapshot
    from articles.published.fanout import published_fanout_request
    from articles.published.notify import published_notify, published_told

    article_ids = items.get(TaggedArticle, [])
    if len(article_ids) > settings.PUBLISHED_FANOUT_INLINE_LIMIT:
        published_fanout_request(kind=FANOUT_TAG_MERGE, object_id=target.pk)
        return
    told = published_told(article_ids=article_ids) if article_ids else {}
    cached = published_cache_snapshot(article_ids=article_ids)
    published_refresh(article_ids=article_ids)
    if told:
        published_notify(told=told)
    published_cache_purge(before=cached)


def photo_changed(sender, photo_id: int, **kwargs) -> None:
    """A caption, credit, alt text or the renditions of a photo articles show."""
    from articles.published.fanout import published_fanout

    published_fanout(kind=FANOUT_PHOTO, object_id=photo_id)


def article_deleting(sender, instance, **kwargs) -> None:
    """Before an article is deleted for good, note the published articles whose related
    reading shows it (the links go with it); `article_deleted` rebuilds them. Only a live
    article is shown by others."""
    from articles.published.build import published_dependents, published_forget

    if instance.status == Article.Status.PUBLISHED:
        instance._published_dependents = published_dependents(article_ids=[instance.pk])
        published_forget(article_ids=[instance.pk])


def article_deleted(sender, instance, **kwargs) -> None:
    from articles.published.build import published_refresh

    published_refresh(article_ids=getattr(instance, "_published_dependents", ()))


def webhook_deliveries_sweep(now: datetime) -> int:
    """The webhook deliveries' sweeper (`newsroom.jobs.registry`), imported when it runs."""
    from articles.published.webhooks import webhook_deliveries_sweep

    return webhook_deliveries_sweep(now)
