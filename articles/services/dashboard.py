"""What the admin's dashboard shows a user of the editing world: their day at a glance.

Every function reads a fixed number of queries whatever the size of the archive: counts and
charts are aggregated in the database, over bounded ranges of indexed columns
(`articles_status_pub_idx`, `articles_scheduled_due_idx`), and lists stop at `PANEL_ITEMS`.
A user sees what the admin's article list shows them (desk scoping,
`ArticleQuerySet.visible_to`); a writer's drafts and articles in review are their own.

The chart of articles per day and the tags of the week are counted here for a user whom desk
scoping limits (`dashboard_sees_every_article`); for everyone else the admin reads them from
the counts per day that the publish door keeps (`articles.published.counts`), which grow with
the days shown, not with the articles published on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Lookup, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from articles.models import Article, Byline, Correction, Desk, TaggedArticle
from articles.services.permissions import user_can_publish
from tagging.models import TopicTag

Status = Article.Status

PANEL_ITEMS = 5
SCHEDULED_WITHIN = timedelta(hours=24)
CORRECTIONS_WITHIN = timedelta(days=7)
CHART_DAYS = 30
# The tags of the week: those of the articles published today and the 6 days before.
TAG_DAYS = 7
TOP_TAGS = 10
# What a panel shows of an article (the body of a long article is never read).
PANEL_FIELDS = ("headline", "status", "published_at", "updated_at", "section__name")


@dataclass(frozen=True)
class Panel:
    """How many articles (or corrections) a panel counts, and the first `PANEL_ITEMS`."""

    count: int
    items: list = field(default_factory=list)


@dataclass(frozen=True)
class ArticlePanels:
    my_drafts: Panel
    in_review: Panel
    scheduled_soon: Panel
    published_today: Panel
    corrections: Panel
    # Whether `in_review` lists everyone's articles (an editor) or only the user's (a writer).
    review_is_everyones: bool
    today: date
    now: datetime


@dataclass(frozen=True)
class SectionSeries:
    section_id: int | None
    name: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class PublishedPerDay:
    days: list[date]
    # Sections by articles published in the range, most first.
    sections: list[SectionSeries]

    @property
    def totals(self) -> list[int]:
        return [sum(column) for column in zip(*(s.counts for s in self.sections), strict=True)]


@dataclass(frozen=True)
class TagCount:
    tag_id: int
    name: str
    count: int


def _local_day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def dashboard_chart_days(*, now: datetime) -> list[date]:
    """The `CHART_DAYS` days of the chart of articles per day, the oldest first, today (the
    site's time zone) last."""
    today = timezone.localdate(now)
    return [today - timedelta(days=offset) for offset in range(CHART_DAYS - 1, -1, -1)]


def dashboard_tag_days(*, now: datetime) -> tuple[date, date]:
    """The first and the last day (today) of the tags of the week."""
    today = timezone.localdate(now)
    return today - timedelta(days=TAG_DAYS - 1), today


def dashboard_sees_every_article(user) -> bool:
    """Whether desk scoping leaves `user` every article (`ArticleQuerySet.visible_to`): a
    superuser or a user in no desk. One query (none for a superuser)."""
    if user.is_superuser:
        return True
    return not Desk.members.through.objects.filter(user=user.pk).exists()


class _AmongSubquery(Lookup):
    """`lhs` is one of the values of a subquery: `= ANY(ARRAY(subquery))` on PostgreSQL, which
    reads the subquery once and then an index (an `IN (subquery)` under an OR is tested row
    by row); `IN (subquery)` elsewhere."""

    lookup_name = "among_subquery"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} IN {rhs}", [*lhs_params, *rhs_params]

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]


def _owned_by(user) -> Q:
    """The articles `user` created or is bylined on (as `user_owns_article`), in one query:
    at a million articles a read of the creator's index and of the bylined ids, instead of
    a test of every draft."""
    bylined = Byline.objects.filter(author__user=user.pk).values("article_id")
    return Q(created_by=user.pk) | Q(_AmongSubquery(F("pk"), Subquery(bylined)))


def dashboard_article_panels(*, user, now: datetime | None = None) -> ArticlePanels:
    """The user's drafts, articles waiting for review, those scheduled in the next 24 hours,
    those published today (the site's time zone) and the corrections of the last 7 days.

    Seven queries: the four article counts in one aggregate, one list per article panel, and
    the corrections' count and list. A writer's drafts and articles in review are their own;
    "scheduled" includes an article whose time has passed and that the scheduler has not
    published yet.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    today_start = _local_day_start(today)
    tomorrow_start = _local_day_start(today + timedelta(days=1))
    review_is_everyones = user_can_publish(user)
    owned = _owned_by(user)

    conditions = {
        "my_drafts": Q(status=Status.DRAFT) & owned,
        "in_review": Q(status=Status.IN_REVIEW) & (Q() if review_is_everyones else owned),
        "scheduled_soon": Q(status=Status.SCHEDULED, published_at__lte=now + SCHEDULED_WITHIN),
        "published_today": Q(
            status=Status.PUBLISHED,
            published_at__gte=today_start,
            published_at__lt=tomorrow_start,
        ),
    }
    orderings = {
        "my_drafts": ("-updated_at", "-id"),
        "in_review": ("updated_at", "id"),  # the longest waiting first
        "scheduled_soon": ("published_at", "id"),
        "published_today": ("-published_at", "-id"),
    }
    articles = Article.objects.visible_to(user).filter(deleted_at__isnull=True)
    any_panel = Q()
    for condition in conditions.values():
        any_panel |= condition
    counts = articles.filter(any_panel).aggregate(
        **{name: Count("pk", filter=condition) for name, condition in conditions.items()}
    )
    panels = {
        name: Panel(
            count=counts[name],
            items=list(
                articles.filter(condition)
                .select_related("section")
                .only(*PANEL_FIELDS)
                .order_by(*orderings[name])[:PANEL_ITEMS]
            ),
        )
        for name, condition in conditions.items()
    }

    corrections = Correction.objects.filter(
        created_at__gte=now - CORRECTIONS_WITHIN,
        article__in=articles.values("pk"),
    )
    panels["corrections"] = Panel(
        count=corrections.count(),
        items=list(
            corrections.select_related("article")
            .only("text", "created_at", "article__headline")
            .order_by("-created_at", "-id")[:PANEL_ITEMS]
        ),
    )
    return ArticlePanels(**panels, review_is_everyones=review_is_everyones, today=today, now=now)


def dashboard_published_per_day(*, user, now: datetime | None = None) -> PublishedPerDay:
    """Articles published (and still published) per day and section over the last
    `CHART_DAYS` days, today included, in the site's time zone. One query."""
    now = now or timezone.now()
    days = dashboard_chart_days(now=now)
    today = days[-1]
    rows = (
        Article.objects.visible_to(user)
        .filter(
            status=Status.PUBLISHED,
            published_at__gte=_local_day_start(days[0]),
            published_at__lt=_local_day_start(today + timedelta(days=1)),
            deleted_at__isnull=True,
        )
        .annotate(day=TruncDate("published_at", tzinfo=timezone.get_current_timezone()))
        .values("day", "section_id", "section__name")
        .annotate(count=Count("pk"))
        .order_by()
    )
    day_index = {day: index for index, day in enumerate(days)}
    series: dict[int, SectionSeries] = {}
    for row in rows:
        section = series.setdefault(
            row["section_id"],
            SectionSeries(row["section_id"], row["section__name"], [0] * len(days)),
        )
        index = day_index.get(row["day"])
        if index is not None:
            section.counts[index] += row["count"]
    sections = sorted(series.values(), key=lambda s: (-s.total, s.name))
    return PublishedPerDay(days=days, sections=sections)


def dashboard_top_tags(*, user, now: datetime | None = None) -> list[TagCount]:
    """The `TOP_TAGS` tags most used on the articles published today and the 6 days before
    (`dashboard_tag_days`), most used first, then by name. One query."""
    first, last = dashboard_tag_days(now=now or timezone.now())
    published = Article.objects.visible_to(user).filter(
        status=Status.PUBLISHED,
        published_at__gte=_local_day_start(first),
        published_at__lt=_local_day_start(last + timedelta(days=1)),
        deleted_at__isnull=True,
    )
    # Counted by tag id alone (the (article, tag) index holds both), named once per tag.
    name = TopicTag.objects.filter(pk=OuterRef("tag_id")).order_by().values("name")[:1]
    counts = (
        TaggedArticle.objects.filter(content_object__in=published.values("pk"))
        .values("tag_id")
        .annotate(count=Count("tag_id"))
        .order_by()
    )
    rows = counts.annotate(tag_name=Subquery(name)).order_by("-count", "tag_name")[:TOP_TAGS]
    return [TagCount(row["tag_id"], row["tag_name"], row["count"]) for row in rows]
