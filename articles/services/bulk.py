"""New articles written together: `article_build` makes and checks each in memory with
`article_create`'s rules, `articles_create_bulk` writes them all with a fixed number of
queries (an import's batch)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from articles.models import (
    Article,
    ArticlePhoto,
    ArticleRevision,
    ArticleTransition,
    Author,
    Byline,
    RelatedLink,
    TaggedArticle,
    article_times_check,
)
from articles.photos.models import Photo
from articles.services.editing import article_fields_apply, bylines_check
from articles.services.revisions import article_snapshot_fields, article_snapshot_of
from articles.services.slugs import article_slugs_taken
from articles.services.workflow import article_status_apply, article_status_target
from articles.signals import article_changes, articles_changed_announce
from newsroom.postgresql.copy import bulk_insert
from tagging.models import TopicTag

Status = Article.Status


@dataclass
class NewArticle:
    """A new article made and checked in memory by `article_build`, with its rows, for
    `articles_create_bulk` to write."""

    article: Article
    bylines: list[Byline]
    tags: list[TopicTag]
    related_links: list[RelatedLink]
    photos: list[ArticlePhoto]
    # Where the new draft moved at once (`article_create`'s `status`), or None; and the
    # draft's own snapshot fields (its revision 1) from before that move.
    moved_to: str | None
    draft_fields: dict[str, Any]


def _clean_in_memory(obj: models.Model, *, skip: Sequence[str] = ()) -> None:
    """`full_clean` without its queries: no unique or constraint checks (the database's
    unique indexes and check constraints hold those, and `articles_create_bulk` checks slugs
    for all articles at once), and no existence check for the foreign keys in `skip` or
    those given as loaded instances or None."""
    exclude = set(skip)
    for field in obj._meta.concrete_fields:
        if field.is_relation and (field.is_cached(obj) or getattr(obj, field.attname) is None):
            exclude.add(field.name)
    obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


def article_build(
    *,
    user,
    data: dict[str, Any],
    bylines: list[Author],
    tags: list[TopicTag] | None = None,
    related_links: list[dict[str, Any]] | None = None,
    photos: list[dict[str, Any]] | None = None,
    status: str | None = None,
    publish_at: datetime | None = None,
) -> NewArticle:
    """`article_create`'s checks for a new article, made in memory for
    `articles_create_bulk` (an import's batch): the same field rules, times, bylines and
    rows, and the same move from draft to `status` (`article_status_apply`), with no query
    when `data`'s foreign keys are loaded instances. Raises as `article_create` does.

    `tags` are tags already resolved (`tags_resolve_or_create`). A related link may name
    its target as `target_article`, an unsaved article of the same bulk create. A publish
    or schedule needs a slug in `data` (`article_create` claims one from the headline)."""
    if not (user and user.has_perm("articles.add_article")):
        raise PermissionDenied(_("You may not create articles."))
    article = Article(created_by=user, status=Status.DRAFT, version=1)
    article_fields_apply(article=article, data=data)
    _clean_in_memory(article)
    article_times_check(published_at=article.published_at, embargo_until=article.embargo_until)
    article.sanitize_body()
    bylines_check(bylines)
    rows = {
        "bylines": [
            Byline(article=article, author=author, position=position)
            for position, author in enumerate(bylines)
        ],
        "related_links": [RelatedLink(article=article, **row) for row in related_links or []],
        "photos": [ArticlePhoto(article=article, **row) for row in photos or []],
    }
    for field_name in ("related_links", "photos"):
        for row in rows[field_name]:
            try:
                # Their targets and photos are looked up together by `articles_create_bulk`.
                _clean_in_memory(row, skip=("target_article", "photo"))
            except ValidationError as exc:
                raise ValidationError({field_name: exc.messages}) from exc
    draft_fields = article_snapshot_fields(article=article)
    moved_to = None
    if status and status != Status.DRAFT:
        moved_to = article_status_target(status=status, publish_at=publish_at)
        if moved_to in (Status.PUBLISHED, Status.SCHEDULED) and not article.slug:
            raise ValueError("A new article published in bulk needs its slug in `data`.")
        stored_embargo_until = article.embargo_until
        article_status_apply(
            article=article, current=Status.DRAFT, status=moved_to, user=user, publish_at=publish_at
        )
        _clean_in_memory(article)
        article_times_check(
            published_at=article.published_at,
            embargo_until=article.embargo_until,
            stored_embargo_until=stored_embargo_until,
        )
        article.version = 2
    return NewArticle(
        article=article,
        tags=list(dict.fromkeys(tags or [])),
        moved_to=moved_to,
        draft_fields=draft_fields,
        **rows,
    )


def articles_create_bulk(*, user, new: list[NewArticle]) -> list[Article]:
    """Write the articles `article_build` made, with the rows `article_create` (and its
    move to the given status) would write for each: the article, bylines, tags, related
    reading, inline photos, revision 1 (the draft) and, for a move, the transition and
    revision 2 (the live one of a published article). The same rows in the same order as
    one `article_create` after another, with a fixed number of queries for any number of
    articles (about a dozen): a COPY per table (`bulk_insert`; `bulk_create` on SQLite),
    the snapshots made from the rows in memory (`article_snapshot_of`). What readers may
    see is announced as those saves announce it, once for all.

    Everything or nothing: raises `ValidationError` for a slug another article uses (now
    or before) or that two of them share, or a related article or photo that does not
    exist; an `IntegrityError` when another transaction took a slug meanwhile (the unique
    index) or a row breaks a check constraint. Callers that must report per article create
    them one by one then (`article_create`).
    """
    if not new:
        return []
    articles = [item.article for item in new]
    slugs = [article.slug for article in articles if article.slug]
    if len(set(slugs)) != len(slugs) or article_slugs_taken(slugs=slugs):
        raise ValidationError(
            {
                "slug": ValidationError(
                    _("Another article uses this address, now or before."), code="slug_taken"
                )
            }
        )
    links = [link for item in new for link in item.related_links]
    placements = [placement for item in new for placement in item.photos]
    target_ids = {link.target_article_id for link in links if link.target_article_id}
    targets = Article.objects.only("headline").in_bulk(target_ids)
    photo_ids = {placement.photo_id for placement in placements}
    photos = Photo.objects.in_bulk(photo_ids)
    if target_ids - targets.keys() or photo_ids - photos.keys():
        raise ValidationError(_("A related article or an inline photo does not exist."))
    for link in links:
        if link.target_article_id:
            link.target_article = targets[link.target_article_id]
    for placement in placements:
        placement.photo = photos[placement.photo_id]
    created_by = user if user and user.is_authenticated else None
    with transaction.atomic(), article_changes():
        bulk_insert(articles)
        bulk_insert([byline for item in new for byline in item.bylines])
        bulk_insert(
            [
                TaggedArticle(content_object=item.article, tag=tag)
                for item in new
                for tag in item.tags
            ]
        )
        for link in links:
            # A target created just now (above) has its id only now.
            link.target_article = link.target_article
        bulk_insert(links)
        bulk_insert(placements)
        revisions, transitions, live = [], [], []
        for item in new:
            order = lambda row: (row.after_paragraph, row.position)  # noqa: E731
            rows = {
                "bylines": item.bylines,
                "tags": [tag.name for tag in item.tags],
                "related_links": sorted(item.related_links, key=order),
                "photos": sorted(item.photos, key=order),
            }
            revisions.append(
                ArticleRevision(
                    article=item.article,
                    number=1,
                    data=article_snapshot_of(fields=item.draft_fields, **rows),
                    created_by=created_by,
                )
            )
            if item.moved_to:
                revision = ArticleRevision(
                    article=item.article,
                    number=2,
                    data=article_snapshot_of(
                        fields=article_snapshot_fields(article=item.article), **rows
                    ),
                    created_by=created_by,
                )
                revisions.append(revision)
                transitions.append(
                    ArticleTransition(
                        article=item.article,
                        user=user,
                        from_status=Status.DRAFT,
                        to_status=item.moved_to,
                    )
                )
                if item.moved_to == Status.PUBLISHED:
                    item.article.live_revision = revision
                    live.append(item.article)
        bulk_insert(revisions)
        bulk_insert(transitions)
        if live:
            # Revision 2 is the live one (one UPDATE; `bulk_update`'s CASE costs more to build).
            Article.objects.filter(pk__in=[article.pk for article in live]).update(
                live_revision=Subquery(
                    ArticleRevision.objects.filter(article=OuterRef("pk"), number=2).values("pk")
                )
            )
        # As `article_save` announces a move: a publish is told to subscribers.
        articles_changed_announce(
            article_ids=[article.pk for article in live], links=True, told=True
        )
        articles_changed_announce(
            article_ids=[item.article.pk for item in new if item.moved_to], links=True
        )
    return articles
