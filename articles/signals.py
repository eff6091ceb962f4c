"""What the editing world tells others: `articles_changed`, once per change of what readers may
see of articles, and the plumbing that sends it (connected in `ArticlesConfig.ready`).

A service wraps its work in `article_changes()` inside its transaction and says what it
changed (`articles_changed_announce`); saves of articles and their parts made by any path
(the admin's inlines, scripts) announce themselves. Everything announced inside the
outermost `article_changes()` is sent once, when it ends, still inside the transaction: a save
that writes an article, its bylines, tags and links is one announcement. Outside one, each
announcement is sent at once. The editing world knows nothing of what listens: the published
world rebuilds and tells subscribers (`articles.published.receivers`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.dispatch import Signal

# Sent with `changes` (an `ArticleChanges`), inside the transaction of the change.
articles_changed = Signal()


@dataclass
class ArticleChanges:
    """What one change did to what readers may see of articles, by article id."""

    # What readers see of these articles changed.
    content: set[int] = field(default_factory=set)
    # Their headline, URL or visibility changed: what articles pointing at them show, too.
    links: set[int] = field(default_factory=set)
    # A change of the article itself (a publish, an unpublish, an edit): subscribers hear it.
    told: set[int] = field(default_factory=set)
    # An editor published these again (a republish after an edit or a correction).
    republished: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.content or self.links)


_changes: ContextVar[ArticleChanges | None] = ContextVar("article_changes", default=None)


def articles_changed_announce(
    *,
    article_ids: Iterable[int],
    links: bool = False,
    told: bool = False,
    republished: bool = False,
) -> None:
    """Say that what readers see of `article_ids` changed (see `ArticleChanges` for the
    flags): sent at the end of the enclosing `article_changes()`, or now outside one."""
    ids = set(article_ids)
    if not ids:
        return
    changes = _changes.get()
    pending = changes if changes is not None else ArticleChanges()
    pending.content |= ids
    if links:
        pending.links |= ids
    if told:
        pending.told |= ids
    if republished:
        pending.republished |= ids
    if changes is None:
        articles_changed.send(sender=ArticleChanges, changes=pending)


@contextmanager
def article_changes() -> Iterator[ArticleChanges]:
    """Collect what is announced inside and send it once when the block ends without an
    error. Enter it inside the transaction (`with transaction.atomic(), article_changes():`)
    so what listeners do commits with the change. Nested blocks leave it to the outermost."""
    outer = _changes.get()
    if outer is not None:
        yield outer
        return
    changes = ArticleChanges()
    token = _changes.set(changes)
    try:
        yield changes
    finally:
        _changes.reset(token)
    if changes:
        articles_changed.send(sender=ArticleChanges, changes=changes)


# --- Plumbing --------------------------------------------------------------------------------


def article_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """Any save of an article row: one readers see or have seen is announced, with what
    points at it (its headline, URL or visibility may have changed)."""
    from articles.models import Article

    if raw:
        return
    public = instance.status == Article.Status.PUBLISHED and instance.deleted_at is None
    if public or (not created and instance.first_published_at is not None):
        articles_changed_announce(article_ids=[instance.pk], links=True)


def article_part_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    """A byline, tag, inline photo, related link or correction of an article was saved or
    deleted: announced if the article may be public."""
    from articles.models import Article, TaggedArticle

    if raw or _deleting_articles(kwargs.get("origin")):
        return
    name = "content_object" if isinstance(instance, TaggedArticle) else "article"
    if getattr(type(instance), name).is_cached(instance):
        article = getattr(instance, name)
        if article.status != Article.Status.PUBLISHED:
            return  # not public: nothing readers see changed (the cached copy is the caller's)
    articles_changed_announce(article_ids=[getattr(instance, f"{name}_id")])


def _deleting_articles(origin) -> bool:
    """Whether a deletion started from articles (an instance or a queryset): their parts go
    with them, and the article's own deletion is what listeners see."""
    from articles.models import Article

    if origin is None:
        return False
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return issubclass(model, Article)
