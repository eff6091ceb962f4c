"""Signal handlers: plumbing only, connected in `ArticlesConfig.ready`."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet


def photo_changed(sender, photo_id: int, **kwargs) -> None:
    """Caption, credit, alt text or renditions readers see on the articles showing it."""
    from articles.published import published_changed, published_ids_with_photo

    published_changed(article_ids=published_ids_with_photo(photo_id=photo_id))


def article_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A new article without a slug gets one from the slug job (publishing makes one too)."""
    if raw or instance.slug:
        return
    from articles.tasks import article_ensure_slug_task

    article_id = instance.pk
    transaction.on_commit(lambda: article_ensure_slug_task.delay(article_id), robust=True)


def tag_merged(sender, target, items: dict, **kwargs) -> None:
    """Articles whose tags a merge changed: rebuilt, and subscribers hear about the ones
    readers can see (`published_notify`).

    Runs inside the merge's transaction, so the deliveries commit with it.
    """
    from articles.models import TaggedArticle
    from articles.published import published_changed

    article_ids = items.get(TaggedArticle, [])
    if not article_ids:
        return
    published_changed(article_ids=article_ids, notify=True)


# --- The published world: shared things that several articles show ------------------------


def author_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A byline's name, bio or photo changed: rebuild the published articles it is on."""
    if raw or created:
        return
    from articles.published import published_changed, published_ids_with_author

    published_changed(article_ids=published_ids_with_author(author_id=instance.pk))


def section_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A section's name or slug (part of its articles' URLs) changed."""
    if raw or created:
        return
    from articles.published import published_changed, published_ids_in_section

    published_changed(article_ids=published_ids_in_section(section_id=instance.pk), dependents=True)


def tag_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A tag was renamed: rebuild the published articles that carry it."""
    if raw or created:
        return
    from articles.published import published_changed, published_ids_with_tag

    published_changed(article_ids=published_ids_with_tag(tag_id=instance.pk))


def article_published_state_saved(
    sender, instance, created: bool, raw: bool = False, **kwargs
) -> None:
    """Every save of an article row goes through the door, whatever path made it.

    A public article (and those pointing to it) is rebuilt; one that stopped being public
    loses its row. A new draft costs nothing.
    """
    from articles.models import Article, PublishedArticle
    from articles.published import published_changed

    if raw:
        return
    public = instance.status == Article.Status.PUBLISHED and instance.deleted_at is None
    if public or (not created and PublishedArticle.objects.filter(article_id=instance.pk).exists()):
        published_changed(article_ids=[instance.pk], dependents=True)


def article_part_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    """A byline, tag, inline photo, related link or correction of an article was saved or
    deleted: rebuild the article if it is published."""
    from articles.models import Article, TaggedArticle
    from articles.published import published_changed

    if raw or _deleting_articles(kwargs.get("origin")):
        return
    field = "content_object" if isinstance(instance, TaggedArticle) else "article"
    descriptor = getattr(type(instance), field)
    if descriptor.is_cached(instance):
        article = getattr(instance, field)
        if article.status != Article.Status.PUBLISHED:
            return  # not public: nothing to rebuild (the cached copy is the caller's)
    published_changed(article_ids=[getattr(instance, f"{field}_id")])


def _deleting_articles(origin) -> bool:
    """Whether a deletion started from articles (an instance or a queryset): their parts go
    with them, and `article_deleting` / `article_deleted` see to the rest."""
    from articles.models import Article

    if origin is None:
        return False
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return issubclass(model, Article)


def article_deleting(sender, instance, **kwargs) -> None:
    """Before a published article is deleted, note the articles whose related reading shows
    it; `article_deleted` rebuilds them once it is gone."""
    from articles.models import Article
    from articles.published import published_dependents

    if instance.status == Article.Status.PUBLISHED:
        instance._published_dependents = published_dependents(article_ids=[instance.pk])


def article_deleted(sender, instance, **kwargs) -> None:
    from articles.published import published_refresh

    published_refresh(article_ids=getattr(instance, "_published_dependents", ()))
