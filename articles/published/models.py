"""The published world's tables: what readers may see of each live article (built by
`articles.published.build`), the tag and author rows lists are read from, and the webhook
subscriptions, deliveries and attempts that tell front ends about it."""

from __future__ import annotations

import base64
import copy
import secrets
from datetime import UTC
from typing import Any

from django.contrib.postgres.search import SearchVectorField
from django.db import connections, models
from django.db.models import F, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import (
    Article,
    Author,
    Language,
    LanguageMatch,
    LanguageRank,
    Section,
    search_matching,
    search_ranked,
)
from articles.published.webhook_urls import validate_webhook_url
from tagging.models import TopicTag


class PublishedArticleQuerySet(models.QuerySet["PublishedArticle"]):
    def visible(self, *, now=None) -> PublishedArticleQuerySet:
        """Rows readers may see now: an embargo or publish time still ahead hides a row."""
        return self.filter(visible_from__lte=now or timezone.now())

    def search(self, query: str) -> PublishedArticleQuerySet:
        """Rows matching `query`; `search_ranked` orders them. Matched against the row's own
        search vector (PostgreSQL), or the article's headline, dek and body (SQLite)."""
        return search_matching(self, query, prefix="article__", vector="search_vector")

    def search_ranked(self, query: str, *, window: int) -> PublishedArticleQuerySet:
        """The newest `window` of these rows (matches of `query`, filters applied), most
        relevant first, then newest. One query to find the publish time of the window's
        oldest row, when there are more rows than that.

        Ranking reads the search vector of every row it ranks: bounding them keeps a search
        for a word in most of the archive as fast at a million articles as at ten thousand.
        The first query is cheap (no ranking, no wide columns); one statement with the
        window as an `IN` subquery cost PostgreSQL a third more per search under concurrent
        load (docs/performance.md, "Search: fewer expressions, still two statements").
        """
        oldest = self.order_by("-published_at", "-article_id").values_list(
            "published_at", flat=True
        )[window - 1 : window]
        cutoff = next(iter(oldest), None)
        rows = self if cutoff is None else self.filter(published_at__gte=cutoff)
        return search_ranked(
            rows, query, prefix="article__", vector="search_vector", id_field="article_id"
        )

    def visible_search(self, query: str, *, window: int):
        """The list rows (`published_at`, `updated_at`, `teaser`) of the visible rows
        matching `query`, ranked as `search_ranked` ranks them: on PostgreSQL a
        `VisibleSearch`, read in SQL; elsewhere the same rows through the ORM."""
        if connections[self.db].vendor == "postgresql":
            return VisibleSearch(query, window=window, using=self.db)
        return (
            self.visible()
            .search(query)
            .search_ranked(query, window=window)
            .values("published_at", "updated_at", "teaser")
        )

    def detail_row(self, slug: str, *, with_document: bool = True) -> tuple | None:
        """`(document, etag, updated_at, cache_tags)` of the visible row with `slug`, or None;
        `document` and `cache_tags` are None when not asked for (a revalidation needs only the
        ETag).

        The public API's hottest query, written in SQL: building it with the ORM costs more
        CPU than PostgreSQL needs to answer it from the unique index on `slug`.
        """
        connection = connections[self.db]
        table = connection.ops.quote_name(self.model._meta.db_table)
        document = "document, cache_tags" if with_document else "NULL, NULL"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {document}, etag, updated_at FROM {table} "  # noqa: S608 - no input
                "WHERE slug = %s AND visible_from <= %s",
                [slug, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            return None
        document, cache_tags, etag, updated_at = row
        if timezone.is_naive(updated_at):  # SQLite keeps UTC without an offset
            updated_at = updated_at.replace(tzinfo=UTC)
        return document, etag, updated_at, cache_tags


class PublishedArticle(models.Model):
    """The published world: what readers may see of one live article, as JSON built once.

    Written only by `articles.published` (the publish door) when the article is published or
    anything readers see of it changes, and deleted when it stops being public. The public
    article API serves `document` (detail) and `teaser` (list item) as stored.
    """

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="published"
    )
    slug = models.SlugField(max_length=120, unique=True)
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=5, choices=Language.choices)
    published_at = models.DateTimeField()
    # The later of the publish time and the end of an embargo: hidden before then.
    visible_from = models.DateTimeField()
    # The article's `updated_at` (Last-Modified).
    updated_at = models.DateTimeField()
    teaser = models.TextField(help_text="JSON of a list item (ArticleTeaserSerializer).")
    # PostgreSQL: the article's `search_vector`, copied at each build (GIN-indexed, see
    # migration 0012). Null on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    document = models.TextField(help_text="JSON of the detail (ArticleDetailSerializer).")
    etag = models.CharField(max_length=40)
    # The detail's cache tags, space-separated (`articles.published.cache`): served in its
    # `Surrogate-Key` without a query of their own.
    cache_tags = models.TextField(blank=True, default="")
    built_at = models.DateTimeField(auto_now=True)
    # Set when the row is built hidden (`visible_from` ahead), and cleared only when it is
    # revealed (`articles.published`): then the articles linking to it are refreshed and
    # subscribers hear `article.published`. Clear: subscribers were told it is published.
    reveal_pending = models.BooleanField(default=False)

    objects = PublishedArticleQuerySet.as_manager()

    class Meta:
        # Table, constraint and index names from when these were part of `articles`.
        db_table = "articles_publishedarticle"
        verbose_name = _("published article")
        verbose_name_plural = _("published articles")
        indexes = [
            models.Index(fields=["-published_at", "-article"], name="published_latest_idx"),
            models.Index(
                fields=["section", "-published_at", "-article"], name="published_section_idx"
            ),
            models.Index(
                fields=["visible_from"],
                name="published_reveal_idx",
                condition=Q(reveal_pending=True),
            ),
        ]

    def __str__(self) -> str:
        return self.slug


class VisibleListing:
    """The list rows (`published_at`, `updated_at`, `teaser`) of every visible article with
    one tag or author, read in SQL: `PublishedListingQuerySet.visible_listing()`.

    For the lists nothing else filters (`?tag=` or `?author=` alone, the tag and author
    pages), it stands in for the `listing()` queryset with just what
    `PublishedCursorPagination` asks of one: an order (newest or oldest first), a bound on the
    publish time from a cursor, and a slice, which runs the statement. Building and compiling
    this query with the ORM cost ~1 ms of CPU per request, several times what PostgreSQL
    takes to answer it (see `PublishedArticleQuerySet.detail_row`).
    """

    ORDERINGS = {("-published_at", "-article_id"): "DESC", ("published_at", "article_id"): "ASC"}
    BOUNDS = {"published_at__lt": "<", "published_at__gt": ">"}

    def __init__(self, model, key_sql: str, key_params: list, *, using: str, now=None):
        self.model = model
        self.key_sql = key_sql  # SQL giving the tag's or author's id
        self.key_params = key_params
        self.using = using
        self.now = now or timezone.now()
        self.direction = "DESC"
        self.bound: tuple[str, Any] | None = None

    def _copy(self, **changes) -> VisibleListing:
        listing = copy.copy(self)
        listing.__dict__.update(changes)
        return listing

    def order_by(self, *fields: str) -> VisibleListing:
        return self._copy(direction=self.ORDERINGS[fields])

    def filter(self, **lookup) -> VisibleListing:
        ((name, value),) = lookup.items()
        published_at = self.model._meta.get_field("published_at")
        return self._copy(bound=(self.BOUNDS[name], published_at.to_python(value)))

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        connection = connections[self.using]
        quote, adapt = connection.ops.quote_name, connection.ops.adapt_datetimefield_value
        key = quote(self.model._meta.get_field(self.model.listing_key).column)
        where = [f"r.{key} = ({self.key_sql})", "a.visible_from <= %s"]
        params = [*self.key_params, adapt(self.now)]
        if self.bound is not None:
            operator, value = self.bound
            where.append(f"r.published_at {operator} %s")
            params.append(adapt(value))
        sql = (
            "SELECT r.published_at, a.updated_at, a.teaser "  # noqa: S608 - no input in the SQL
            f"FROM {quote(self.model._meta.db_table)} r "
            f"JOIN {quote(PublishedArticle._meta.db_table)} a ON a.article_id = r.article_id "
            f"WHERE {' AND '.join(where)} "
            f"ORDER BY r.published_at {self.direction}, r.article_id {self.direction} "
            f"LIMIT {int(page.stop - page.start)} OFFSET {int(page.start)}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [
            {"published_at": _aware(published), "updated_at": _aware(updated), "teaser": teaser}
            for published, updated, teaser in rows
        ]


class VisibleSearch:
    """The list rows (`published_at`, `updated_at`, `teaser`) of the visible articles
    matching a search, most relevant first, then newest, read in SQL (PostgreSQL):
    `PublishedArticleQuerySet.visible_search()`.

    For a search nothing else filters (`?q=` alone, a site's search box) it stands in for
    the `listing()` queryset with what `SearchPagination` asks of one: a slice, which runs
    the two statements `search_ranked` runs (the publish time of the `window`-th newest
    match, then the ranked page among the matches published since), with the same match
    and rank (`LanguageMatch`, `LanguageRank`). Building and compiling them with the ORM
    cost about 2 ms of CPU per search, half of what a search took (docs/performance.md,
    "Eighth round").
    """

    def __init__(self, query: str, *, window: int, using: str, now=None):
        self.query = query
        self.window = window
        self.using = using
        self.now = now or timezone.now()

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        connection = connections[self.using]
        quote = connection.ops.quote_name

        def column(name: str) -> str:
            return quote(PublishedArticle._meta.get_field(name).column)

        language, vector = column("language"), column("search_vector")
        published_at, article_id = column("published_at"), column("article")
        table = quote(PublishedArticle._meta.db_table)
        start = page.start or 0
        match, match_params = LanguageMatch.written(language, vector, self.query)
        where = [f"{column('visible_from')} <= %s", match]
        params = [connection.ops.adapt_datetimefield_value(self.now), *match_params]
        newest_first = f"{published_at} DESC, {article_id} DESC"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {published_at} FROM {table} WHERE {' AND '.join(where)} "  # noqa: S608 - no input in the SQL
                f"ORDER BY {newest_first} LIMIT 1 OFFSET {int(self.window) - 1}",
                params,
            )
            oldest = cursor.fetchone()
            if oldest is not None:
                where.append(f"{published_at} >= %s")
                params.append(oldest[0])
            rank, rank_params = LanguageRank.written(language, vector, self.query)
            cursor.execute(
                f"SELECT {published_at}, {column('updated_at')}, {column('teaser')} "  # noqa: S608 - no input in the SQL
                f"FROM {table} WHERE {' AND '.join(where)} "
                f"ORDER BY {rank} DESC, {newest_first} "
                f"LIMIT {int(page.stop - start)} OFFSET {int(start)}",
                [*params, *rank_params],
            )
            rows = cursor.fetchall()
        return [
            {"published_at": published, "updated_at": updated, "teaser": teaser}
            for published, updated, teaser in rows
        ]


def _aware(value):
    """A datetime read in SQL: SQLite keeps UTC without an offset."""
    return value.replace(tzinfo=UTC) if timezone.is_naive(value) else value


class PublishedListingQuerySet(models.QuerySet):
    """Tag or author rows of published articles (`PublishedArticleTag`,
    `PublishedArticleAuthor`)."""

    def rows_of(self, *, slug: str | None = None, pk: int | None = None, articles=None):
        """The list rows of one tag's or author's articles (by `slug` or `pk`; the model's
        `listing_key` names which) among `articles` (a filtered `PublishedArticle`
        queryset), or among every visible article without `articles`: then
        `visible_listing()`, read in SQL."""
        if articles is None:
            return self.visible_listing(slug=slug, pk=pk)
        key = self.model.listing_key
        if pk is None:
            # `= (SELECT id ...)` rather than a join to the tag or author: the index then
            # gives the rows in list order.
            target = self.model._meta.get_field(key).related_model
            pk = Subquery(target.objects.filter(slug=slug).order_by().values("pk"))
        return self.filter(**{key: pk}).listing(articles)

    def visible_listing(self, *, slug: str | None = None, pk: int | None = None):
        """`VisibleListing` of every visible article with the tag or author (by `slug` or
        `pk`; `listing_key` names which)."""
        target = self.model._meta.get_field(self.model.listing_key).related_model
        if pk is not None:
            return VisibleListing(self.model, "%s", [pk], using=self.db)
        quote = connections[self.db].ops.quote_name
        key_sql = (
            f"SELECT {quote(target._meta.pk.column)} FROM {quote(target._meta.db_table)} "  # noqa: S608 - no input
            "WHERE slug = %s"
        )
        return VisibleListing(self.model, key_sql, [slug], using=self.db)

    def listing(self, articles: models.QuerySet) -> models.QuerySet:
        """The list rows (`published_at`, `updated_at`, `teaser`) of those of `articles` (a
        `PublishedArticle` queryset, filters applied) that are among these rows.

        Ordered by this table's publish time and article, a page is a range scan of its
        (tag or author, publish time) index, stopping after a page of `articles`.
        """
        return self.filter(article__in=articles.values("pk")).values(
            "published_at", updated_at=F("article__updated_at"), teaser=F("article__teaser")
        )


class PublishedArticleTag(models.Model):
    """A tag of a published article, with the article's publish time: a tag's list of
    articles is one range scan of (tag, publish time), however large the archive.

    Written with the article's `PublishedArticle` row, by the publish door only.
    """

    pk = models.CompositePrimaryKey("article", "tag")
    article = models.ForeignKey(
        PublishedArticle, on_delete=models.CASCADE, related_name="tag_rows", db_index=False
    )
    tag = models.ForeignKey(TopicTag, on_delete=models.CASCADE, related_name="+", db_index=False)
    published_at = models.DateTimeField()

    objects = PublishedListingQuerySet.as_manager()
    listing_key = "tag"

    class Meta:
        db_table = "articles_publishedarticletag"
        verbose_name = _("published article tag")
        verbose_name_plural = _("published article tags")
        indexes = [
            models.Index(fields=["tag", "-published_at", "-article"], name="published_tag_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.tag_id} on {self.article_id}"


class PublishedArticleAuthor(models.Model):
    """An author bylined on a published article, with its publish time: an author's list of
    articles is one range scan of (author, publish time). Written like `PublishedArticleTag`.
    """

    pk = models.CompositePrimaryKey("article", "author")
    article = models.ForeignKey(
        PublishedArticle, on_delete=models.CASCADE, related_name="author_rows", db_index=False
    )
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="+", db_index=False)
    published_at = models.DateTimeField()

    objects = PublishedListingQuerySet.as_manager()
    listing_key = "author"

    class Meta:
        db_table = "articles_publishedarticleauthor"
        verbose_name = _("published article author")
        verbose_name_plural = _("published article authors")
        indexes = [
            models.Index(
                fields=["author", "-published_at", "-article"], name="published_author_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author_id} on {self.article_id}"


# --- Counts per day (the editors' dashboard) ---------------------------------------------


class PublishedSectionDay(models.Model):
    """How many published articles of a section have their publish time on a day (the site's
    time zone): the dashboard's chart of articles per day reads 30 days of these instead of
    counting a month's articles (`articles.published.counts`).

    Kept by the publish door in the transaction that writes the `PublishedArticle` rows, so
    the counts are those of the published world at every commit. A row may hold 0. `count`
    has no CHECK (>= 0): a count gone wrong must not stop the door from unpublishing;
    `published_counts_rebuild` recounts.
    """

    pk = models.CompositePrimaryKey("day", "section")
    day = models.DateField()
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="+")
    count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("published articles of a section on a day")
        verbose_name_plural = _("published articles of sections per day")

    def __str__(self) -> str:
        return f"{self.count} in {self.section_id} on {self.day}"


class PublishedTagDay(models.Model):
    """How many published articles with a tag have their publish time on a day (the site's
    time zone): the dashboard's tags of the week sum 7 days of these. Kept like
    `PublishedSectionDay`; goes with its tag (a merge moves the articles' counts to the
    target when they are rebuilt)."""

    pk = models.CompositePrimaryKey("day", "tag")
    day = models.DateField()
    tag = models.ForeignKey(TopicTag, on_delete=models.CASCADE, related_name="+")
    count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("published articles with a tag on a day")
        verbose_name_plural = _("published articles with tags per day")

    def __str__(self) -> str:
        return f"{self.count} with {self.tag_id} on {self.day}"


# --- Webhooks ----------------------------------------------------------------------------


def webhook_secret_default() -> str:
    """A fresh Standard Webhooks secret: "whsec_" and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookSubscription(models.Model):
    """A front end that wants to hear about article changes (to purge its caches)."""

    class Event(models.TextChoices):
        ARTICLE_PUBLISHED = "article.published", _("Article published")
        ARTICLE_UPDATED = "article.updated", _("Published article updated")
        ARTICLE_UNPUBLISHED = "article.unpublished", _("Article unpublished")

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(
        _("URL"),
        max_length=500,
        validators=[validate_webhook_url],
        help_text=_("HTTPS address that receives a signed JSON POST for every event."),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        default=webhook_secret_default,
        help_text=_('Standard Webhooks secret ("whsec_…"); the receiver verifies signatures.'),
    )
    # Kept after a rotation so receivers can switch secrets without losing deliveries:
    # messages carry a signature with each until `webhooks.SECRET_ROTATION_GRACE` has passed.
    previous_secret = models.CharField(_("previous signing secret"), max_length=100, blank=True)
    secret_rotated_at = models.DateTimeField(_("secret rotated at"), null=True, blank=True)
    events = models.JSONField(_("events"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    disabled_reason = models.CharField(_("disabled because"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "articles_webhooksubscription"
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["name", "id"]
        constraints = [
            # One active subscription per receiver: a second would get every event twice.
            models.UniqueConstraint(
                fields=["url"],
                condition=Q(is_active=True),
                name="articles_webhooksubscription_active_url_once",
                violation_error_message=_("An active subscription to this URL exists already."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    """One event for one subscriber; retried with backoff until delivered or given up."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(
        WebhookSubscription,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("subscription"),
    )
    # Stable per event: the receiver deduplicates by it (Standard Webhooks "webhook-id").
    event_id = models.CharField(_("event id"), max_length=64)
    event_type = models.CharField(_("event type"), max_length=50)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_code = models.PositiveSmallIntegerField(_("last response code"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "articles_webhookdelivery"
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"], name="articles_delivery_event_once"
            ),
        ]
        indexes = [
            # The sweeper's scan for deliveries that are due or stuck.
            models.Index(
                fields=["next_attempt_at"],
                name="articles_delivery_due_idx",
                condition=Q(status__in=["pending", "sending"]),
            ),
            # The dashboard's deliveries given up on, newest first (`webhook_deliveries_failed`).
            models.Index(
                fields=["-created_at", "-id"],
                name="articles_delivery_failed_idx",
                condition=Q(status="failed"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} to {self.subscription}"


class WebhookAttempt(models.Model):
    """One HTTP attempt of a delivery, kept for the admin's attempt log."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        on_delete=models.CASCADE,
        related_name="attempt_log",
        verbose_name=_("delivery"),
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    attempted_at = models.DateTimeField(_("attempted at"), default=timezone.now)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    # At most 1 KB of the receiver's answer is kept (docs/reliability.md G3).
    response_body = models.TextField(_("response (first 1 KB)"), blank=True)
    error = models.TextField(_("error"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        db_table = "articles_webhookattempt"
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"Attempt {self.number} of {self.delivery}"
