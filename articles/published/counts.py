"""Counts per day of the published world, kept by the publish door, for the editors' dashboard.

The dashboard's chart (articles published per day by section, 30 days) and its tags of the
week counted a month's and a week's articles on each view: at a million articles, with a
newsroom publishing ~1,200 a day, that was 35,000 articles and 37,000 tag rows per view, and
the page grew with the publishing rate. Here the door keeps, in the transaction that writes
the `PublishedArticle` rows (`articles.published.build._refresh_batch`), how many published
articles each (day, section) and each (day, tag) has (`PublishedSectionDay`,
`PublishedTagDay`); the dashboard reads 30 days × sections and 7 days × tags of them.

What a batch changes is its delta: the counts of the rows it replaces (read before they are
replaced, under the articles' locks) subtracted, those of the rows it builds added. Publish,
unpublish, trash, a section or tag change and a corrected publish time all go through the
door, so they all move the counts; a merged or deleted tag takes its counts with it (its
published tag rows go too, and the rebuild of its articles counts the target); an article
deleted for good has its counts removed before its rows go (`articles.published.receivers`).
Deltas are added with `INSERT … ON CONFLICT DO UPDATE SET count = count + delta`, keys in
one order, so concurrent publishes on the same day and section add up exactly, without
deadlocks. Days are those of the site's time zone (`TIME_ZONE`) when the row was built;
`published_counts_rebuild` (run by `published_rebuild`) recounts everything, after a change
of time zone say.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Count, IntegerField, Sum, Value
from django.db.models.functions import TruncDate
from django.utils import timezone

from articles.models import Article
from articles.published.models import (
    PublishedArticle,
    PublishedArticleTag,
    PublishedSectionDay,
    PublishedTagDay,
)
from articles.services.dashboard import TOP_TAGS, PublishedPerDay, SectionSeries, TagCount


def published_day(moment: datetime) -> date:
    """The day of `moment` in the site's time zone (whatever the request's)."""
    return timezone.localtime(moment, ZoneInfo(settings.TIME_ZONE)).date()


@dataclass
class DayCounts:
    """Articles per (day, section id) and per (day, tag id)."""

    sections: Counter = field(default_factory=Counter)
    tags: Counter = field(default_factory=Counter)

    def add(self, *, published_at: datetime, section_id: int | None, tag_ids: Iterable[int]):
        day = published_day(published_at)
        if section_id is not None:
            self.sections[day, section_id] += 1
        for tag_id in tag_ids:
            self.tags[day, tag_id] += 1


def published_counts_of(*, article_ids: Iterable[int]) -> DayCounts:
    """What the published rows of `article_ids` count now. One query (none for no ids)."""
    counts = DayCounts()
    ids = list(article_ids)
    if not ids:
        return counts
    none = Value(None, output_field=IntegerField())
    rows = (
        PublishedArticle.objects.filter(article_id__in=ids)
        .values_list("published_at", "section_id", none)
        .union(
            PublishedArticleTag.objects.filter(article_id__in=ids).values_list(
                "published_at", none, "tag_id"
            ),
            all=True,
        )
    )
    for published_at, section_id, tag_id in rows:
        counts.add(
            published_at=published_at,
            section_id=section_id,
            tag_ids=() if tag_id is None else (tag_id,),
        )
    return counts


def published_counts_built(articles: Iterable[Article]) -> DayCounts:
    """What the rows built of `articles` count (from `articles_for_documents()`: no query)."""
    counts = DayCounts()
    for article in articles:
        counts.add(
            published_at=article.published_at,
            section_id=article.section_id,
            tag_ids=[item.tag_id for item in article.tagged_items.all()],
        )
    return counts


def published_counts_apply(*, before: DayCounts, after: DayCounts) -> None:
    """Add `after - before` to the stored counts. Up to two queries (none when nothing moved:
    an edit that keeps the publish time, section and tags)."""
    for model, key, was, now in (
        (PublishedSectionDay, "section", before.sections, after.sections),
        (PublishedTagDay, "tag", before.tags, after.tags),
    ):
        delta = Counter(now)
        delta.subtract(was)
        _add(model, key, {k: n for k, n in delta.items() if n})


def _add(model, key: str, delta: dict[tuple[date, int], int]) -> None:
    """`count += n` for each ((day, id), n) of `delta`, in one statement; a missing row is
    inserted. Keys in order, so that two transactions lock shared rows in the same order."""
    if not delta:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    day = quote(model._meta.get_field("day").column)
    column = quote(model._meta.get_field(key).column)
    count = quote(model._meta.get_field("count").column)
    params: list = []
    for (when, pk), n in sorted(delta.items()):
        params += [connection.ops.adapt_datefield_value(when), pk, n]
    values = ", ".join(["(%s, %s, %s)"] * len(delta))
    add = f"{count} = {table}.{count} + excluded.{count}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({day}, {column}, {count}) VALUES {values} "  # noqa: S608 - no input
            f"ON CONFLICT ({day}, {column}) DO UPDATE SET {add}",
            params,
        )


def published_counts_expected() -> DayCounts:
    """The counts of the whole published world, aggregated from its rows. Two queries."""
    zone = ZoneInfo(settings.TIME_ZONE)
    counts = DayCounts()
    for model, key, target in (
        (PublishedArticle, "section_id", counts.sections),
        (PublishedArticleTag, "tag_id", counts.tags),
    ):
        rows = (
            model.objects.annotate(day=TruncDate("published_at", tzinfo=zone))
            .values_list("day", key)
            .annotate(n=Count("*"))
            .order_by()
        )
        for day, pk, n in rows:
            target[day, pk] = n
    return counts


def published_counts_rebuild() -> None:
    """Count the published world again and store the counts (after a change of `TIME_ZONE`,
    or to repair them). On PostgreSQL the count tables are locked meanwhile: a publish waits
    for the recount and then adds its own delta."""
    with transaction.atomic():
        connection = connections[router.db_for_write(PublishedSectionDay)]
        if connection.vendor == "postgresql":
            tables = f"{PublishedSectionDay._meta.db_table}, {PublishedTagDay._meta.db_table}"
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
        counts = published_counts_expected()
        PublishedSectionDay.objects.all().delete()
        PublishedTagDay.objects.all().delete()
        PublishedSectionDay.objects.bulk_create(
            PublishedSectionDay(day=day, section_id=pk, count=n)
            for (day, pk), n in counts.sections.items()
        )
        PublishedTagDay.objects.bulk_create(
            (PublishedTagDay(day=day, tag_id=pk, count=n) for (day, pk), n in counts.tags.items()),
            batch_size=5000,
        )


# --- The dashboard's reads ---------------------------------------------------------------


def published_per_day(*, days: list[date]) -> PublishedPerDay:
    """Published articles per day and section over `days` (consecutive, the oldest first),
    every section's. One query of at most len(days) × sections rows."""
    rows = (
        PublishedSectionDay.objects.filter(day__gte=days[0], day__lte=days[-1], count__gt=0)
        .values_list("day", "section_id", "section__name", "count")
        .order_by()
    )
    day_index = {day: index for index, day in enumerate(days)}
    series: dict[int, SectionSeries] = {}
    for day, section_id, name, count in rows:
        section = series.setdefault(section_id, SectionSeries(section_id, name, [0] * len(days)))
        section.counts[day_index[day]] += count
    sections = sorted(series.values(), key=lambda s: (-s.total, s.name))
    return PublishedPerDay(days=days, sections=sections)


def published_top_tags(*, first: date, last: date) -> list[TagCount]:
    """The `TOP_TAGS` tags on most published articles from `first` to `last`, most first, then
    by name. One query, summing (days × tags used) rows by tag; the names come from a hash
    join of the tags (a lookup per tag used cost three times as much at a million
    articles: a week uses a thousand tags)."""
    rows = (
        PublishedTagDay.objects.filter(day__gte=first, day__lte=last, count__gt=0)
        .values_list("tag_id", "tag__name")
        .annotate(total=Sum("count"))
        .order_by("-total", "tag__name")[:TOP_TAGS]
    )
    return [TagCount(tag_id, name, total) for tag_id, name, total in rows]
