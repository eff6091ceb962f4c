"""The article, its inline photo placements, tags and old slugs."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from articles.html import sanitize_body_html, validate_body_size
from articles.models.people import Author, Byline
from articles.models.search import Language, search_articles
from articles.models.sections import Desk, Section
from articles.photos.models import Photo
from tagging.managers import TopicTagManager
from tagging.models import TopicTag

RELATED_LINK_DEFAULT_LABELS = {
    Language.INDONESIAN: "Baca juga",
    Language.ENGLISH: "Read also",
}


def validate_schedule_horizon(value: datetime) -> None:
    """A publish time or embargo end at most `SCHEDULE_HORIZON_DAYS` ahead: a mistyped year
    must not hide an article for decades."""
    limit = timezone.now() + timedelta(days=settings.SCHEDULE_HORIZON_DAYS)
    if value > limit:
        raise ValidationError(
            _("At most %(days)d days ahead (until %(limit)s).")
            % {
                "days": settings.SCHEDULE_HORIZON_DAYS,
                "limit": timezone.localtime(limit).strftime("%Y-%m-%d %H:%M"),
            },
            code="beyond_horizon",
        )


def validate_embargo_until(value: datetime, *, stored: datetime | None = None) -> None:
    """A new embargo must end in the future, within the horizon.

    The stored end (`stored`, compared to the second: forms show whole seconds) is not
    checked again, so an article whose embargo has since ended can be saved as it is.
    """
    if stored is not None and value.replace(microsecond=0) == stored.replace(microsecond=0):
        return
    if value <= timezone.now():
        raise ValidationError(_("The embargo must end in the future."), code="embargo_in_past")
    validate_schedule_horizon(value)


def article_times_check(
    *,
    published_at: datetime | None,
    embargo_until: datetime | None,
    stored_published_at: datetime | None = None,
    stored_embargo_until: datetime | None = None,
) -> None:
    """The rules for an article's publish time and embargo end, given the stored ones:
    raises one `ValidationError` keyed by field. A changed publish time lies within the
    horizon (a past one is for the workflow to judge); see `validate_embargo_until`."""
    errors: dict[str, ValidationError] = {}
    if published_at is not None and published_at != stored_published_at:
        try:
            validate_schedule_horizon(published_at)
        except ValidationError as exc:
            errors["published_at"] = exc
    if embargo_until is not None:
        try:
            validate_embargo_until(embargo_until, stored=stored_embargo_until)
        except ValidationError as exc:
            errors["embargo_until"] = exc
    if errors:
        raise ValidationError(errors)


class ArticleQuerySet(models.QuerySet["Article"]):
    def live(self, *, now=None) -> ArticleQuerySet:
        """Articles readers may see: published, with a publish time that has passed, not
        under an embargo that is still running and not in the trash.

        The editing world's answer, read by previews, suggestions and the write API. The
        public surfaces read the published world instead (`articles.published`), whose
        rows are built only for published articles and shown from `visible_from`.
        """
        now = now or timezone.now()
        return self.filter(
            status=Article.Status.PUBLISHED, published_at__lte=now, deleted_at__isnull=True
        ).exclude(embargo_until__gt=now)

    def search(self, query: str) -> ArticleQuerySet:
        """Articles matching `query`, most relevant first, then newest (`search_articles`)."""
        return search_articles(self, query)

    def visible_to(self, user) -> ArticleQuerySet:
        """Desk scoping (docs/reliability.md A6) for the admin and the write API.

        A user in one or more desks sees the articles of their desks' sections, of sections
        without a desk, and their own (created by them or bylined to them). Superusers and
        users in no desk are not desk-scoped. Roles narrow further (writers edit only their
        own). No query of its own: the desk checks are subqueries of the articles' query.
        """
        if user.is_superuser:
            return self
        memberships = Desk.members.through.objects.filter(user=user.pk)
        bylined = Byline.objects.filter(article=OuterRef("pk"), author__user=user.pk)
        return self.filter(
            ~Exists(memberships)
            | Q(section__desk__isnull=True)
            | Exists(memberships.filter(desk=OuterRef("section__desk")))
            | Q(created_by=user.pk)
            | Exists(bylined)
        )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        UNPUBLISHED = "unpublished", _("Unpublished")

    headline = models.CharField(_("headline"), max_length=255)
    # NULL until a slug is chosen, so several new drafts can be slug-less at once.
    slug = models.SlugField(_("slug"), max_length=120, unique=True, null=True, blank=True)
    dek = models.TextField(_("dek"), blank=True, help_text=_("The summary under the headline."))
    body = models.TextField(
        _("body"),
        blank=True,
        validators=[validate_body_size],
        help_text=_(
            "HTML. Allowed: paragraphs, headings (h2-h4), bold/italic, links (http, https, "
            "mailto, tel), lists, block quotes. Everything else is removed on save."
        ),
    )
    dateline = models.CharField(
        _("dateline"), max_length=100, blank=True, help_text=_('For example "BANDUNG".')
    )
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="articles", verbose_name=_("section")
    )
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.INDONESIAN
    )
    authors = models.ManyToManyField(
        Author, through="Byline", related_name="articles", verbose_name=_("authors")
    )
    lead_photo = models.ForeignKey(
        Photo,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lead_of_articles",
        verbose_name=_("lead photo"),
    )
    photos = models.ManyToManyField(
        Photo,
        through="ArticlePhoto",
        related_name="inline_of_articles",
        blank=True,
        verbose_name=_("inline photos"),
    )
    # TopicTagManager: typed names are normalised and aliases resolved ("rúsia" -> Rusia).
    tags = TaggableManager(
        through="TaggedArticle", manager=TopicTagManager, blank=True, verbose_name=_("tags")
    )

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    # The publish time readers see: when it first went live, or is due to for a scheduled one.
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    first_published_at = models.DateTimeField(
        _("first published at"), null=True, blank=True, editable=False
    )
    last_published_at = models.DateTimeField(
        _("last published at"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="created_articles",
        verbose_name=_("created by"),
    )

    # Optimistic lock: raised by one on every content save (`article_save`); a save based on
    # an older version is refused instead of overwriting a colleague's edit.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    embargo_until = models.DateTimeField(
        _("embargo until"),
        null=True,
        blank=True,
        help_text=_("No public surface shows the article before this time, whatever its status."),
    )
    # Set when the article is moved to the trash; NULL for every article in use.
    deleted_at = models.DateTimeField(_("moved to trash at"), null=True, blank=True, editable=False)
    # Hard lock (`services.article_lock_acquire`): while it is fresh, only its holder saves or
    # moves the article. The holder's open change page refreshes `locked_at`; without that it
    # expires after `services.HARD_LOCK_SECONDS`.
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="locked_articles",
        verbose_name=_("locked by"),
    )
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True, editable=False)
    # The revision readers saw at the last publish, so published content stays traceable.
    live_revision = models.ForeignKey(
        "ArticleRevision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("live revision"),
    )

    # Full-text search document; written by a PostgreSQL trigger, unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    seo_title = models.CharField(_("SEO title"), max_length=120, blank=True)
    seo_description = models.CharField(_("SEO description"), max_length=320, blank=True)
    canonical_url = models.URLField(
        _("canonical URL"),
        blank=True,
        help_text=_("Only when the story's original lives elsewhere."),
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-id"]
        permissions = [
            ("publish_article", _("Can publish, schedule and unpublish articles")),
            ("unlock_article", _("Can unlock an article someone else locked")),
        ]
        constraints = [
            models.CheckConstraint(
                name="articles_article_published_has_published_at",
                condition=~Q(status__in=["published", "scheduled"]) | Q(published_at__isnull=False),
            ),
            models.CheckConstraint(
                name="articles_article_published_has_slug",
                condition=~Q(status__in=["published", "scheduled"]) | Q(slug__isnull=False),
            ),
        ]
        indexes = [
            # Public lists: live articles newest first (`ArticleQuerySet.live`).
            models.Index(fields=["status", "-published_at", "-id"], name="articles_status_pub_idx"),
            # Section pages: live articles of one section, newest first.
            models.Index(
                fields=["section", "status", "-published_at"], name="articles_section_pub_idx"
            ),
            # The scheduler's scan for due articles.
            models.Index(
                fields=["published_at"],
                name="articles_scheduled_due_idx",
                condition=Q(status="scheduled"),
            ),
            # The admin's article list (`ArticleAdmin`): articles in use, last updated first,
            # alone and filtered by status, section, both, or language; sorted by publish
            # time; the trash. Each serves its page without sorting the matching rows.
            models.Index(
                fields=["-updated_at", "-id"],
                name="articles_admin_updated_idx",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(
                fields=["status", "-updated_at", "-id"],
                name="articles_admin_status_idx",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(
                fields=["section", "-updated_at", "-id"],
                name="articles_admin_section_idx",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(
                fields=["section", "status", "-updated_at", "-id"],
                name="articles_admin_sect_stat_idx",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(
                fields=["language", "-updated_at", "-id"],
                name="articles_admin_language_idx",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(
                fields=["-published_at", "-id"],
                name="articles_admin_published_idx",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(
                fields=["-created_at", "-id"],
                name="articles_admin_created_idx",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(
                fields=["-updated_at", "-id"],
                name="articles_admin_trash_idx",
                condition=Q(deleted_at__isnull=False),
            ),
            # The dashboard's 30-day chart and week's tags (`articles.services.dashboard`):
            # published articles in use by publish time, with what the chart groups by and
            # desk scoping reads, so PostgreSQL answers from the index alone (migration 0023).
            models.Index(
                fields=["published_at"],
                include=["section", "created_by", "id"],
                name="articles_dash_published_idx",
                condition=Q(status="published", deleted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.headline

    def save(self, *args, **kwargs) -> None:
        # Sanitised here, not only in forms, so no path (admin, API, shell, import) can store
        # unsafe HTML. Sanitising is idempotent, so re-saving never changes clean HTML.
        self.sanitize_body()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return self.public_url

    def sanitize_body(self) -> None:
        """Make the body safe HTML: every save does, and a bulk create (which skips `save`)
        calls it for each row (`articles_create_bulk`)."""
        self.body = sanitize_body_html(self.body)

    @property
    def public_url(self) -> str:
        """The reader-facing URL: the canonical URL when set, else the front end's URL."""
        if self.canonical_url:
            return self.canonical_url
        return settings.ARTICLE_URL_TEMPLATE.format(
            site_url=settings.SITE_URL, section=self.section.slug, slug=self.slug
        )

    @property
    def is_live(self) -> bool:
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now
            and self.deleted_at is None
            and not (self.embargo_until and self.embargo_until > now)
        )

    @property
    def related_link_default_label(self) -> str:
        return RELATED_LINK_DEFAULT_LABELS.get(self.language, "Read also")


class ArticlePhoto(models.Model):
    """A photo placed inside an article's body, after paragraph `after_paragraph`."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="article_photos")
    photo = models.ForeignKey(Photo, on_delete=models.PROTECT, related_name="article_placements")
    after_paragraph = models.PositiveSmallIntegerField(
        _("after paragraph"),
        default=1,
        help_text=_("Shown after this body paragraph (1 = after the first)."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    caption_override = models.TextField(
        _("caption in this article"),
        blank=True,
        help_text=_("Leave empty to use the photo's own caption."),
    )

    class Meta:
        verbose_name = _("inline photo")
        verbose_name_plural = _("inline photos")
        ordering = ["after_paragraph", "position", "id"]

    def __str__(self) -> str:
        return f"{self.photo} in {self.article}"


class TaggedArticle(TaggedItemBase):
    """Through model for `Article.tags` with real foreign keys (taggit's custom-FK recipe)."""

    content_object = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="tagged_items"
    )
    tag = models.ForeignKey(TopicTag, on_delete=models.CASCADE, related_name="tagged_articles")

    class Meta:
        verbose_name = _("article tag")
        verbose_name_plural = _("article tags")
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="articles_taggedarticle_tag_once"
            ),
        ]
        # Tag pages: articles carrying one tag.
        indexes = [models.Index(fields=["tag", "content_object"], name="articles_tagged_tag_idx")]

    def __str__(self) -> str:
        return f"{self.tag} on {self.content_object}"


class ArticleSlugHistory(models.Model):
    """A slug an article was published under before an editor changed it.

    The public API answers a request for an old slug with a redirect to the current one.
    """

    slug = models.SlugField(_("old slug"), max_length=120, unique=True)
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="old_slugs", verbose_name=_("article")
    )
    created_at = models.DateTimeField(_("replaced at"), auto_now_add=True)

    class Meta:
        verbose_name = _("old slug")
        verbose_name_plural = _("old slugs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.slug
