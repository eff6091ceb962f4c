"""Input and output serializers of the write API (`/api/v1/manage/`).

Input serializers list every field a client may set, explicitly. A key that is not one of
them is refused with 400 `unknown_field`, never silently dropped: a client that sends
`status`, `created_by` or `version` learns at once that it has no effect (docs/reliability.md B3).
Serializers only validate and shape data; the writes are the services' (`articles.services`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from articles.blocks import validate_body_embeds
from articles.models import (
    Article,
    Author,
    Language,
    Section,
    validate_embargo_until,
    validate_schedule_horizon,
)
from articles.photos.models import Photo
from articles.published.serializers import _absolute_media_url

MAX_BYLINES = 20
MAX_TAGS = 30
MAX_RELATED = 20
MAX_PHOTOS = 30

# Fields the API shows but only the services write, with what to do instead.
READ_ONLY_HINTS = {
    "status": "Use the submit, schedule, publish and unpublish actions.",
    "published_at": "Use the schedule or publish action.",
    "slug": "The slug is made from the headline when the article is published.",
    "visibility": "Published articles are public; use the publish and unpublish actions.",
    "authors": "Set the bylines with 'bylines' (author slugs, in order).",
}
# Keys only the workflow actions control, and only editors use them: a writer who sends one
# is refused with 403 `permission_denied` naming it, before anything else is checked
# (docs/reliability.md B2). For editors they are plain read-only keys (400 `unknown_field`).
EDITOR_ONLY_KEYS = ("status", "published_at", "first_published_at", "visibility")


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date and time with an explicit UTC offset (`Z`, `+07:00`): a time without
    one, or a bare date, is refused rather than read in the server's time zone."""

    default_error_messages = {
        "offset_required": (
            "Give a date and time with a UTC offset, e.g. 2027-05-01T09:00:00+07:00 or "
            "2027-05-01T02:00:00Z."
        ),
    }

    def to_internal_value(self, value):
        if isinstance(value, str):
            parsed = parse_datetime(value.strip())
            if parsed is not None and parsed.tzinfo is None:
                self.fail("offset_required")
        return super().to_internal_value(value)


class StrictFieldsMixin:
    """Refuse keys that are not writable fields of this serializer (400 `unknown_field`)."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            for key in data:
                if key not in writable:
                    raise serializers.ValidationError(
                        {str(key): [ErrorDetail(_unknown_field_message(key), "unknown_field")]}
                    )
        return super().to_internal_value(data)


def _unknown_field_message(key: Any) -> str:
    hint = READ_ONLY_HINTS.get(key)
    if hint:
        return f"'{key}' cannot be set through this endpoint. {hint}"
    if key in ArticleManageSerializer.Meta.fields or key in PhotoManageSerializer.Meta.fields:
        return f"'{key}' is read-only."
    return f"Unknown field '{key}'."


# --- Articles ------------------------------------------------------------------------------


class RelatedLinkInputSerializer(StrictFieldsMixin, serializers.Serializer):
    """One related-reading link: another article by slug, or an outside URL with a title."""

    article = serializers.SlugField(
        required=False, max_length=120, help_text="Slug of a published article."
    )
    url = serializers.URLField(required=False, max_length=500)
    title = serializers.CharField(required=False, allow_blank=True, max_length=255)
    label = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=50,
        help_text='Empty: "Baca juga" (Indonesian) or "Read also" (English).',
    )
    after_paragraph = serializers.IntegerField(required=False, min_value=0, max_value=1000)
    position = serializers.IntegerField(required=False, min_value=0, max_value=1000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("article") and attrs.get("url"):
            raise serializers.ValidationError(
                "Give either a related article or an outside URL, not both.", code="both_targets"
            )
        if not attrs.get("article") and not attrs.get("url"):
            raise serializers.ValidationError(
                "Give a related article (slug) or an outside URL.", code="no_target"
            )
        if attrs.get("url") and not attrs.get("title"):
            raise serializers.ValidationError(
                {"title": ["An outside link needs a title."]}, code="required"
            )
        return attrs


class InlinePhotoInputSerializer(StrictFieldsMixin, serializers.Serializer):
    """A photo placed in the body, as the admin's inline photo rows place it."""

    photo = serializers.IntegerField(help_text="A photo id, from the upload.")
    after_paragraph = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=1000,
        help_text="Shown after this body paragraph (1, the default: after the first).",
    )
    position = serializers.IntegerField(
        required=False, min_value=0, max_value=1000, help_text="Order after the same paragraph."
    )
    caption_override = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text="The caption in this article; empty: the photo's own.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A PATCH validates partially, nested rows included: a row still needs its photo.
        if "photo" not in attrs:
            raise serializers.ValidationError(
                {"photo": [ErrorDetail("This field is required.", "required")]}
            )
        return attrs


class TagNameField(serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=100, trim_whitespace=True, **kwargs)


class ArticleWriteSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """What a client may set on an article: content, placement, credits, SEO.

    `bylines` are author slugs in the order readers see them; `tags` are names (an existing
    tag or alias is reused, a new name makes a tag); `related` replaces all related links.
    On PATCH, a list given replaces the stored one; a list left out is kept.
    """

    section = serializers.SlugRelatedField(slug_field="slug", queryset=Section.objects.all())
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    bylines = serializers.ListField(
        child=serializers.SlugField(max_length=150),
        min_length=1,
        max_length=MAX_BYLINES,
        help_text="Author slugs, in byline order; at least one.",
    )
    tags = serializers.ListField(
        child=TagNameField(), required=False, max_length=MAX_TAGS, help_text="Tag names."
    )
    related = serializers.ListField(
        child=RelatedLinkInputSerializer(), required=False, max_length=MAX_RELATED
    )
    lead_photo = serializers.PrimaryKeyRelatedField(
        queryset=Photo.objects.all(), allow_null=True, required=False
    )
    photos = serializers.ListField(
        child=InlinePhotoInputSerializer(),
        required=False,
        max_length=MAX_PHOTOS,
        help_text="Inline photos; replaces all of them.",
    )
    embargo_until = AwareDateTimeField(
        required=False,
        allow_null=True,
        help_text="No public surface shows the article before this time; with a UTC offset, "
        "in the future, at most SCHEDULE_HORIZON_DAYS ahead.",
    )

    class Meta:
        model = Article
        fields = [
            "headline", "dek", "body", "dateline", "section", "language", "bylines", "tags",
            "related", "lead_photo", "photos", "embargo_until", "seo_title",
            "seo_description", "canonical_url",
        ]  # fmt: skip

    def validate_body(self, body: str) -> str:
        validate_body_embeds(body)  # 422 `unsupported_embed_url` (see the views)
        return body

    def validate_embargo_until(self, value):
        if value is not None:
            stored = self.instance.embargo_until if self.instance else None
            validate_embargo_until(value, stored=stored)  # the services' rule, named here
        return value

    def validate_bylines(self, slugs: list[str]) -> list[Author]:
        if len(set(slugs)) != len(slugs):
            raise serializers.ValidationError("An author appears twice.", code="duplicate")
        authors = {a.slug: a for a in Author.objects.filter(slug__in=slugs)}
        missing = [slug for slug in slugs if slug not in authors]
        if missing:
            raise serializers.ValidationError(
                f"No author with the slug '{missing[0]}'.", code="does_not_exist"
            )
        return [authors[slug] for slug in slugs]

    def validate_photos(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Rows for `ArticlePhoto`: each id becomes its photo (one query for all)."""
        photos = Photo.objects.in_bulk({item["photo"] for item in items})
        for index, item in enumerate(items):
            if item["photo"] not in photos:
                message = f"No photo with the id {item['photo']}."
                raise serializers.ValidationError(
                    {index: {"photo": [ErrorDetail(message, "does_not_exist")]}}
                )
        return [{**item, "photo": photos[item["photo"]]} for item in items]

    def validate_related(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Rows for `RelatedLink`: a slug becomes its article, looked up among the articles
        this user may link to (`context["related_targets"]`, given by the view)."""
        slugs = {item["article"] for item in items if item.get("article")}
        targets = {}
        if slugs:
            targets = {a.slug: a for a in self.context["related_targets"].filter(slug__in=slugs)}
        rows = []
        for item in items:
            slug = item.get("article")
            if slug and slug not in targets:
                raise serializers.ValidationError(
                    f"No article with the slug '{slug}' to link to.", code="does_not_exist"
                )
            row = {
                "target_article": targets.get(slug) if slug else None,
                "url": item.get("url", ""),
                "title": item.get("title", ""),
                "label": item.get("label", ""),
            }
            row.update({k: item[k] for k in ("after_paragraph", "position") if k in item})
            rows.append(row)
        return rows


class SectionRefField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="slug", read_only=True, **kwargs)


class RelatedLinkOutputSerializer(serializers.Serializer):
    article = serializers.SlugField(source="target_article.slug", allow_null=True, default=None)
    url = serializers.CharField()
    title = serializers.CharField()
    label = serializers.CharField()
    after_paragraph = serializers.IntegerField()
    position = serializers.IntegerField()


class InlinePhotoOutputSerializer(serializers.Serializer):
    photo = serializers.IntegerField(source="photo_id")
    after_paragraph = serializers.IntegerField()
    position = serializers.IntegerField()
    caption_override = serializers.CharField()


class ArticleManageSerializer(serializers.ModelSerializer):
    """An article as its writers and editors see it, drafts included.

    Expects `Article.objects.for_manage()`-style prefetching (see the views): section,
    bylines with authors, tags, related links with their targets and inline photos.
    """

    section = SectionRefField()
    bylines = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    related = serializers.SerializerMethodField()
    lead_photo = serializers.PrimaryKeyRelatedField(read_only=True)
    photos = InlinePhotoOutputSerializer(source="article_photos", many=True, read_only=True)
    created_by = serializers.PrimaryKeyRelatedField(read_only=True)
    etag = serializers.SerializerMethodField(help_text="Send it back in If-Match to update.")

    class Meta:
        model = Article
        fields = [
            "id", "slug", "headline", "dek", "body", "dateline", "section", "language",
            "bylines", "tags", "related", "lead_photo", "photos", "embargo_until", "seo_title",
            "seo_description", "canonical_url", "status", "published_at", "first_published_at",
            "created_by", "created_at", "updated_at", "version", "etag",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.SlugField()))
    def get_bylines(self, article: Article) -> list[str]:
        return [byline.author.slug for byline in article.bylines.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, article: Article) -> list[str]:
        return [item.tag.name for item in article.tagged_items.all()]

    @extend_schema_field(RelatedLinkOutputSerializer(many=True))
    def get_related(self, article: Article) -> list[dict[str, Any]]:
        return RelatedLinkOutputSerializer(article.related_links.all(), many=True).data

    def get_etag(self, article: Article) -> str:
        return article_etag(article)


def article_etag(article: Article) -> str:
    """The article's ETag: its version, quoted as HTTP wants (`"v7"`)."""
    return f'"v{article.version}"'


class ScheduleSerializer(StrictFieldsMixin, serializers.Serializer):
    publish_at = AwareDateTimeField(
        help_text="When the article goes live: with a UTC offset, in the future, at most "
        "SCHEDULE_HORIZON_DAYS ahead."
    )

    def validate_publish_at(self, value):
        if value <= timezone.now():
            raise serializers.ValidationError(
                "A scheduled article needs a publish time in the future.", code="schedule_in_past"
            )
        validate_schedule_horizon(value)
        return value


class EmptyActionSerializer(StrictFieldsMixin, serializers.Serializer):
    """Actions without parameters: the body is empty or `{}`."""


class PreviewLinkSerializer(serializers.Serializer):
    """A signed preview link of an article's latest revision (`api/v1/preview/{token}/`)."""

    url = serializers.URLField()
    revision = serializers.IntegerField(help_text="The revision number the link shows.")
    expires_at = serializers.DateTimeField()


# --- Photos --------------------------------------------------------------------------------


class ArticleLockSerializer(serializers.Serializer):
    """The hard lock of an article: who holds it (a name, never an e-mail) and until when."""

    locked = serializers.BooleanField()
    locked_by = serializers.CharField(allow_null=True)
    locked_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)


class PhotoUploadSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A multipart upload: the image file plus its caption, credit and alt text. Empty
    caption, credit, copyright and source are filled from the file's metadata.

    The file's format, size and pixels are checked before anything is stored (the error
    codes and statuses are listed under this operation's responses); the stored file name
    is always generated, never the client's.
    """

    image = serializers.FileField(help_text="JPEG, PNG, WebP or GIF.")

    class Meta:
        model = Photo
        fields = ["image", "caption", "credit", "alt_text", "copyright", "source", "source_url"]


class PhotoManageSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = [
            "id", "url", "width", "height", "caption", "credit", "alt_text", "copyright",
            "source", "source_url", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_url(self, photo: Photo) -> str | None:
        return _absolute_media_url(photo.image)
