"""Output serializers of the public API. Read-only: the public API never writes.

They expect querysets prepared by `articles.published.build.articles_for_list()` /
`articles_for_documents()`; on anything else they would issue one query per relation.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.blocks import place_after_paragraphs, split_body
from articles.embeds import PROVIDERS as EMBED_PROVIDERS
from articles.models import Article, Author, Section
from articles.photos.models import Photo
from articles.photos.renditions import photo_full_size_rendition
from tagging.models import TopicTag


def _absolute_media_url(file) -> str | None:
    if not file:
        return None
    url = file.url
    if url.startswith(("http://", "https://")):
        return url
    return f"{settings.MEDIA_PUBLIC_URL}{url}" if settings.MEDIA_PUBLIC_URL else url


def tag_ref(name: str, slug: str) -> dict[str, str]:
    """A tag as an article's `tags` list shows it."""
    return {"name": name, "slug": slug}


def json_ld_person(author: Author) -> dict[str, str]:
    """A byline's author in an article's `json_ld`."""
    return {
        "@type": "Person",
        "name": author.name,
        "url": f"{settings.SITE_URL}/authors/{author.slug}",
    }


class RenditionSerializer(serializers.Serializer):
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    format = serializers.CharField()
    url = serializers.CharField()


class PhotoSerializer(serializers.ModelSerializer):
    """A photo as readers get it: re-encoded renditions only, never the uploaded original
    (it may carry the photographer's position and bytes that are no image data)."""

    url = serializers.SerializerMethodField()
    width = serializers.SerializerMethodField()
    height = serializers.SerializerMethodField()
    renditions = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = [
            "id", "url", "width", "height", "caption", "credit", "copyright", "source",
            "source_url", "alt_text", "renditions",
        ]  # fmt: skip

    @extend_schema_field(
        {
            "type": "string",
            "format": "uri",
            "nullable": True,
            "description": "The photo at its own size, re-encoded (the widest uncropped "
            "rendition, JPEG); null until the renditions are made.",
        }
    )
    def get_url(self, photo: Photo) -> str | None:
        full = photo_full_size_rendition(photo=photo)
        return _absolute_media_url(full.file) if full else None

    @extend_schema_field(OpenApiTypes.INT)
    def get_width(self, photo: Photo) -> int:
        """Of `url` once it exists, upright; until then of the upload."""
        full = photo_full_size_rendition(photo=photo)
        return full.width if full else photo.width

    @extend_schema_field(OpenApiTypes.INT)
    def get_height(self, photo: Photo) -> int:
        """Of `url` once it exists, upright; until then of the upload."""
        full = photo_full_size_rendition(photo=photo)
        return full.height if full else photo.height

    @extend_schema_field(RenditionSerializer(many=True))
    def get_renditions(self, photo: Photo) -> list[dict[str, Any]]:
        """Ready-made sizes for `srcset`; empty until the background job has made them."""
        return [
            {
                "width": r.width,
                "height": r.height,
                "format": r.format,
                "url": _absolute_media_url(r.file),
            }
            for r in photo.public_renditions()
        ]


class SectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Section
        fields = ["name", "slug", "description"]


class SectionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Section
        fields = ["name", "slug"]


class TagRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = TopicTag
        fields = ["name", "slug"]


class TagSerializer(serializers.ModelSerializer):
    article_count = serializers.IntegerField(
        read_only=True, help_text="Published articles with this tag."
    )

    class Meta:
        model = TopicTag
        fields = ["name", "slug", "kind", "description", "article_count"]


class AuthorSerializer(serializers.ModelSerializer):
    """Public author fields only: never the e-mail address or the user account."""

    photo_url = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ["name", "slug", "bio", "photo_url", "website", "x_handle", "instagram_handle"]

    def get_photo_url(self, author: Author) -> str | None:
        return _absolute_media_url(author.photo)


class BylineSerializer(serializers.Serializer):
    name = serializers.CharField(source="author.name")
    slug = serializers.CharField(source="author.slug")
    bio = serializers.CharField(source="author.bio")
    photo_url = serializers.SerializerMethodField()

    def get_photo_url(self, byline) -> str | None:
        return _absolute_media_url(byline.author.photo)


class ArticleTeaserSerializer(serializers.ModelSerializer):
    """What a list item, a teaser or a card needs."""

    url = serializers.CharField(source="public_url")
    section = SectionRefSerializer()
    bylines = BylineSerializer(many=True)
    tags = serializers.SerializerMethodField()
    lead_photo = PhotoSerializer(allow_null=True)

    class Meta:
        model = Article
        fields = [
            "slug", "url", "headline", "dek", "dateline", "language", "section", "bylines",
            "tags", "lead_photo", "published_at", "updated_at",
        ]  # fmt: skip

    @extend_schema_field(TagRefSerializer(many=True))
    def get_tags(self, article: Article) -> list[dict[str, str]]:
        # Reads the prefetched `tagged_items`, whose order (by tag name) is stable.
        return [tag_ref(item.tag.name, item.tag.slug) for item in article.tagged_items.all()]


class RelatedBlockSerializer(serializers.Serializer):
    type = serializers.CharField(default="related")
    label = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()
    article = serializers.DictField(allow_null=True, help_text="slug of a related article")


class BlockSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=["paragraph", "heading", "quote", "list", "photo", "related", "embed"]
    )
    html = serializers.CharField(required=False, help_text="paragraph, heading, quote, list")
    level = serializers.IntegerField(required=False, help_text="heading: 2 to 4")
    ordered = serializers.BooleanField(required=False, help_text="list")
    photo = PhotoSerializer(required=False, help_text="photo")
    caption = serializers.CharField(required=False, help_text="photo: caption in this article")
    label = serializers.CharField(required=False, help_text='related: "Baca juga", "Read also"')
    title = serializers.CharField(required=False, help_text="related")
    url = serializers.CharField(
        required=False, help_text="related; embed: the URL as written, for a fallback link"
    )
    article = serializers.DictField(required=False, allow_null=True, help_text="related")
    provider = serializers.ChoiceField(
        choices=[provider.name for provider in EMBED_PROVIDERS],
        required=False,
        help_text="embed",
    )
    embed_url = serializers.CharField(
        required=False,
        help_text="embed: the iframe src, on the provider's own embed host; render it in a "
        "sandboxed iframe, never provider HTML",
    )
    id = serializers.CharField(required=False, help_text="embed: the provider's content id")


class CorrectionSerializer(serializers.Serializer):
    text = serializers.CharField()
    date = serializers.DateTimeField(source="created_at")


class SuggestedArticleSerializer(serializers.Serializer):
    headline = serializers.CharField()
    slug = serializers.CharField()
    url = serializers.CharField()
    published_at = serializers.DateTimeField()


class ArticleDetailSerializer(ArticleTeaserSerializer):
    body_html = serializers.CharField(source="body")
    corrections = CorrectionSerializer(many=True, help_text="Dated correction notes, oldest first.")
    updated = serializers.SerializerMethodField()
    blocks = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    related = serializers.SerializerMethodField()
    suggested_related = serializers.SerializerMethodField()
    seo = serializers.SerializerMethodField()
    canonical_url = serializers.CharField(source="public_url")
    json_ld = serializers.SerializerMethodField()

    class Meta(ArticleTeaserSerializer.Meta):
        fields = [
            *ArticleTeaserSerializer.Meta.fields, "canonical_url", "seo", "first_published_at",
            "suggested_related",
            "body_html", "blocks", "photos", "related", "json_ld", "corrections", "updated",
        ]  # fmt: skip

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_updated(self, article: Article) -> str | None:
        """When readers were last told of a change: a republish or a correction, if any."""
        times = [c.created_at for c in article.corrections.all()]
        first, last = article.first_published_at, article.last_published_at
        if first and last and last > first:
            times.append(last)
        return serializers.DateTimeField().to_representation(max(times)) if times else None

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "title": {"type": "string"},
                "description": {"type": "string"},
            },
        }
    )
    def get_seo(self, article: Article) -> dict[str, str]:
        return {
            "title": article.seo_title or article.headline,
            "description": article.seo_description or article.dek,
        }

    def _related(self, article: Article) -> list[tuple[int, dict[str, Any]]]:
        # `visible_related_links` holds only links whose target is live (see the queryset).
        placed = []
        for link in article.visible_related_links:
            target = link.target_article
            placed.append(
                (
                    link.after_paragraph,
                    {
                        "type": "related",
                        "label": link.display_label,
                        "title": link.display_title,
                        "url": target.public_url if target else link.url,
                        "article": {"slug": target.slug} if target else None,
                    },
                )
            )
        return placed

    def _photos(self, article: Article) -> list[tuple[int, dict[str, Any]]]:
        return [
            (
                placement.after_paragraph,
                {
                    "type": "photo",
                    "photo": PhotoSerializer(placement.photo, context=self.context).data,
                    "caption": placement.caption_override or placement.photo.caption,
                },
            )
            for placement in article.article_photos.all()
        ]

    @extend_schema_field(BlockSerializer(many=True))
    def get_blocks(self, article: Article) -> list[dict[str, Any]]:
        return place_after_paragraphs(
            split_body(article.body), [*self._photos(article), *self._related(article)]
        )

    @extend_schema_field(PhotoSerializer(many=True))
    def get_photos(self, article: Article) -> list[dict[str, Any]]:
        return [block["photo"] for _, block in self._photos(article)]

    @extend_schema_field(RelatedBlockSerializer(many=True))
    def get_related(self, article: Article) -> list[dict[str, Any]]:
        return [block for _, block in self._related(article)]

    @extend_schema_field(SuggestedArticleSerializer(many=True))
    def get_suggested_related(self, article: Article) -> list[dict[str, Any]]:
        """Suggested further reading, only when editors picked fewer related links than
        `RELATED_SUGGESTIONS_MIN_LINKS`; never an article editors linked already.

        Reads `visible_suggestions` (stored, and re-checked as live, by the queryset).
        """
        links = article.visible_related_links
        if len(links) >= settings.RELATED_SUGGESTIONS_MIN_LINKS:
            return []
        picked = {link.target_article_id for link in links if link.target_article_id}
        return [
            SuggestedArticleSerializer(
                {
                    "headline": suggestion.target.headline,
                    "slug": suggestion.target.slug,
                    "url": suggestion.target.public_url,
                    "published_at": suggestion.target.published_at,
                }
            ).data
            for suggestion in getattr(article, "visible_suggestions", [])
            if suggestion.target_id not in picked
        ]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_json_ld(self, article: Article) -> dict[str, Any]:
        """schema.org NewsArticle for the page's <head>."""
        images = []
        full = article.lead_photo and photo_full_size_rendition(photo=article.lead_photo)
        if full:
            images.append(_absolute_media_url(full.file))
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.headline[:110],
            "description": article.seo_description or article.dek,
            "inLanguage": article.language,
            "mainEntityOfPage": article.public_url,
            "url": article.public_url,
            "datePublished": article.published_at.isoformat() if article.published_at else None,
            "dateModified": article.updated_at.isoformat(),
            "articleSection": article.section.name,
            "author": [json_ld_person(byline.author) for byline in article.bylines.all()],
            "keywords": [item.tag.name for item in article.tagged_items.all()],
            "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
        }
        if images:
            data["image"] = images
        corrections = [
            {
                "@type": "CorrectionComment",
                "text": correction.text,
                "datePublished": correction.created_at.isoformat(),
            }
            for correction in article.corrections.all()
        ]
        if corrections:
            data["correction"] = corrections
        if article.dateline:
            data["locationCreated"] = {"@type": "Place", "name": article.dateline}
        return data
