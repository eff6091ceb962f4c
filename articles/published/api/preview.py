"""The preview endpoint: a draft or pending revision through a signed, expiring link.

Kept apart from the public views: it is the one API read that does not start from
`Article.objects.live()`. The signed token (see `services.article_preview_token`) is the
only way in; editors get one in the admin or from `POST /api/v1/manage/articles/{id}/preview/`.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

from articles.models import (
    Article,
    ArticlePhoto,
    ArticleRevision,
    Author,
    Byline,
    Correction,
    RelatedLink,
    Section,
    TaggedArticle,
)
from articles.photos.models import Photo
from articles.published.api.views import PublicAPIView
from articles.published.serializers import ArticleDetailSerializer
from newsroom.api.schema import extend_schema
from tagging.models import TopicTag


def article_from_revision(revision: ArticleRevision) -> Article:
    """An unsaved copy of the article as `revision` stored it, ready for the detail serializer.

    Relations come from the snapshot (rows deleted since are left out); corrections are the
    article's current ones. Costs a constant number of queries.
    """
    data = revision.data
    article = Article.objects.get(pk=revision.article_id)
    corrections = list(Correction.objects.filter(article_id=article.pk).order_by("created_at"))
    for name, value in data.get("fields", {}).items():
        field = Article._meta.get_field(name)
        if value is not None and isinstance(field, models.DateTimeField):
            value = datetime.fromisoformat(value)
        setattr(article, field.attname, value)
    # PROTECT keeps a referenced section; one removed since the revision shows as empty.
    article.section = Section.objects.filter(pk=article.section_id).first() or Section(name="")
    photo_ids = {row["photo"] for row in data.get("photos", [])} | {article.lead_photo_id}
    photos = Photo.objects.prefetch_related("renditions").in_bulk(
        [pk for pk in photo_ids if pk is not None]
    )
    article.lead_photo = photos.get(article.lead_photo_id)
    authors = Author.objects.in_bulk([row["author"] for row in data.get("bylines", [])])
    tags = {tag.name: tag for tag in TopicTag.objects.filter(name__in=data.get("tags", []))}
    targets = (
        Article.objects.live()
        .select_related("section")
        .in_bulk(
            [r["target_article"] for r in data.get("related_links", []) if r["target_article"]]
        )
    )
    # What the detail serializer reads through `.all()`: served from this cache, no query.
    article._prefetched_objects_cache = {
        "bylines": [
            Byline(article=article, author=authors[row["author"]], position=position)
            for position, row in enumerate(data.get("bylines", []))
            if row["author"] in authors
        ],
        "tagged_items": [
            TaggedArticle(content_object=article, tag=tags[name])
            for name in sorted(data.get("tags", []))
            if name in tags
        ],
        "article_photos": [
            ArticlePhoto(
                article=article,
                photo=photos[row["photo"]],
                after_paragraph=row["after_paragraph"],
                position=row["position"],
                caption_override=row["caption_override"],
            )
            for row in data.get("photos", [])
            if row["photo"] in photos
        ],
        "corrections": corrections,
    }
    # As on the public page: links to articles that are not live are left out.
    article.visible_related_links = [
        RelatedLink(
            article=article,
            target_article=targets.get(row["target_article"]),
            url=row["url"],
            title=row["title"],
            label=row["label"],
            after_paragraph=row["after_paragraph"],
            position=row["position"],
        )
        for row in data.get("related_links", [])
        if row["target_article"] is None or row["target_article"] in targets
    ]
    return article


class PreviewTokenInvalid(exceptions.APIException):
    """401: the preview token is malformed, tampered, expired or revoked
    (docs/reliability.md A8)."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = "preview_token_invalid"
    default_detail = "This preview link is not valid or has expired; ask an editor for a new one."
    # RFC 9110: a 401 names how to authenticate; here, with a fresh link from an editor.
    auth_header = 'PreviewToken realm="preview"'


@extend_schema(
    tags=["articles"],
    summary="Preview of a draft or pending revision",
    responses={
        200: ArticleDetailSerializer,
        401: OpenApiResponse(
            description="The token is malformed, tampered, expired (15 minutes), made for "
            "another article or revision, or its editor or article is gone "
            "(`preview_token_invalid`)."
        ),
    },
)
class ArticlePreviewView(PublicAPIView):
    """The detail representation of the revision a signed preview link names.

    Editors make the links; they expire after 15 minutes. A token that is malformed,
    tampered, expired or revoked answers 401 `preview_token_invalid`, with no content.
    Never cached.
    """

    serializer_class = ArticleDetailSerializer
    queryset = Article.objects.none()
    # No cache tags: a preview is never cached, and its tags would name a draft.
    cache_tags: list[str] = []

    def get(self, request, token: str):
        # The editing services, imported on a preview's first request: a worker serving only
        # readers never loads them (docs/performance.md, "Worker memory").
        from articles.services import article_preview_resolve

        revision = article_preview_resolve(token=token)
        if revision is None:
            raise PreviewTokenInvalid()
        response = Response(self.get_serializer(article_from_revision(revision)).data)
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
        return response
