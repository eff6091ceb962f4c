"""The counts per day the publish door keeps for the dashboard (`articles.published.counts`):
equal to a count of the editing world after every kind of change, exact under concurrent
publishes (PostgreSQL), unchanged by a refused change, counted from the rows there are by
migration `published.0006`, and shown by the dashboard as it showed the direct count."""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.admin.dashboard import published_chart, published_table, tags_chart
from articles.models import Article, Desk, Section
from articles.published.build import published_rebuild, published_refresh
from articles.published.counts import (
    published_counts_expected,
    published_counts_rebuild,
    published_day,
    published_per_day,
    published_top_tags,
)
from articles.published.fanout import FANOUT_TAG_MERGE, published_fanout_run
from articles.published.models import PublishedSectionDay, PublishedTagDay
from articles.services import (
    ConflictError,
    article_publish,
    article_restore_from_trash,
    article_save,
    article_trash,
    article_unpublish,
)
from articles.services.dashboard import (
    dashboard_chart_days,
    dashboard_published_per_day,
    dashboard_tag_days,
    dashboard_top_tags,
)
from newsroom.jobs.models import BackgroundJob
from tagging.services import tag_merge
from tests.support.concurrency import postgresql_only, run_together
from tests.support.factories import ArticleFactory, SectionFactory, TopicTagFactory

Status = Article.Status


def _editing_world() -> tuple[Counter, Counter]:
    """What the counts must be: the live articles of the editing tables, counted in Python by
    their publish day in the site's time zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    sections, tags = Counter(), Counter()
    live = Article.objects.filter(status=Status.PUBLISHED, deleted_at__isnull=True)
    for article in live.prefetch_related("tagged_items"):
        day = timezone.localtime(article.published_at, zone).date()
        sections[day, article.section_id] += 1
        for item in article.tagged_items.all():
            tags[day, item.tag_id] += 1
    return sections, tags


def _stored() -> tuple[Counter, Counter]:
    assert not PublishedSectionDay.objects.filter(count__lt=0).exists()
    assert not PublishedTagDay.objects.filter(count__lt=0).exists()
    sections = Counter(
        {(r.day, r.section_id): r.count for r in PublishedSectionDay.objects.filter(count__gt=0)}
    )
    tags = Counter(
        {(r.day, r.tag_id): r.count for r in PublishedTagDay.objects.filter(count__gt=0)}
    )
    return sections, tags


def _assert_exact() -> None:
    stored = _stored()
    assert stored == _editing_world()
    expected = published_counts_expected()
    assert stored == (+expected.sections, +expected.tags)


def _save(article: Article, user, **changes) -> Article:
    article.refresh_from_db()
    return article_save(article=article, user=user, expected_version=article.version, **changes)


@pytest.mark.django_db
def test_the_counts_equal_the_editing_world_after_every_kind_of_change(
    editor, settings, django_capture_on_commit_callbacks, sent_tasks
):
    settings.PUBLISHED_FANOUT_INLINE_LIMIT = 2
    now = timezone.now()
    daerah, olahraga = SectionFactory(name="Daerah"), SectionFactory(name="Olahraga")
    banjir, gempa, cuaca = (TopicTagFactory(name=name) for name in ("Banjir", "Gempa", "Cuaca"))
    _assert_exact()

    # Publish, and an article published three days ago.
    first = ArticleFactory(section=daerah, tags=[banjir, gempa])
    article_publish(article=first, user=editor)
    second = ArticleFactory(
        published=True, published_at=now - timedelta(days=3), section=olahraga, tags=[banjir]
    )
    _assert_exact()
    # A section change, a tag change, a corrected publish time.
    _save(first, editor, data={"section": olahraga})
    _assert_exact()
    _save(first, editor, tags=[gempa, cuaca])
    _assert_exact()
    _save(first, editor, status=Status.PUBLISHED, publish_at=now - timedelta(days=10))
    _assert_exact()
    # An edit that moves nothing; unpublish, trash, restore, publish again.
    _save(second, editor, data={"headline": "Banjir surut"})
    article_unpublish(article=second, user=editor)
    _assert_exact()
    article_trash(article=second, user=editor)
    _assert_exact()
    article_restore_from_trash(article=second, user=editor)
    article_publish(article=second, user=editor)
    _assert_exact()
    # A tag renamed (nothing moves), merged with few articles (in the transaction).
    banjir.name = "Banjir Rob"
    banjir.save()
    _assert_exact()
    tag_merge(source=cuaca, target=gempa)
    _assert_exact()
    # Merged with more than the inline limit: the job moves the counts.
    moved = [ArticleFactory(published=True, section=daerah, tags=[banjir]) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        tag_merge(source=banjir, target=gempa)
    assert BackgroundJob.objects.filter(kind=FANOUT_TAG_MERGE).exists()
    published_fanout_run(kind=FANOUT_TAG_MERGE, object_id=gempa.pk)
    _assert_exact()
    # An article deleted for good while live; a whole rebuild.
    moved[0].delete()
    _assert_exact()
    published_rebuild()
    _assert_exact()
    # The two moved articles left, on the day they were published (an hour before `now`,
    # which is the day before between midnight and 1 a.m. in the site's time zone).
    assert _stored()[0][published_day(moved[1].published_at), daerah.pk] == 2


@pytest.mark.django_db
def test_a_refused_change_moves_no_count(editor, section):
    article = ArticleFactory(published=True, section=section, tags=["Banjir"])
    before = _stored()

    with pytest.raises(ValidationError):
        article_trash(article=article, user=editor)  # a live article must be unpublished first
    with pytest.raises(ConflictError):
        article_save(
            article=article,
            user=editor,
            expected_version=article.version - 1,
            data={"section": SectionFactory()},
        )

    assert _stored() == before
    _assert_exact()


@pytest.mark.django_db
def test_a_day_is_the_sites_from_midnight_to_midnight(settings, section):
    settings.TIME_ZONE = "Asia/Jakarta"  # UTC+7
    timezone.deactivate()
    late = ArticleFactory(published=True, section=section, published_at=_utc(16, 59))
    early = ArticleFactory(published=True, section=section, published_at=_utc(17, 0))

    days = _stored()[0]
    assert days[datetime(2026, 11, 30).date(), section.pk] == 1  # 23:59 in Jakarta
    assert days[datetime(2026, 12, 1).date(), section.pk] == 1  # 00:00 the next day
    assert {published_day(late.published_at), published_day(early.published_at)} == set(
        day for day, _ in days
    )

    # Another time zone: a rebuild of the counts moves both to the same UTC day.
    settings.TIME_ZONE = "UTC"
    call_command("published_rebuild", "--counts-only", stdout=io.StringIO())
    assert _stored()[0] == Counter({(datetime(2026, 11, 30).date(), section.pk): 2})


def _utc(hour: int, minute: int) -> datetime:
    return datetime(2026, 11, 30, hour, minute, tzinfo=UTC)


@pytest.mark.django_db
def test_counting_again_changes_nothing_and_repairs_a_count_gone_wrong(section):
    ArticleFactory(published=True, section=section, tags=["Banjir", "Gempa"])
    ArticleFactory(published=True, section=section, published_at=timezone.now() - timedelta(2))
    before = _stored()
    PublishedSectionDay.objects.update(count=7)
    PublishedTagDay.objects.all().delete()

    published_counts_rebuild()

    assert _stored() == before
    _assert_exact()


@pytest.mark.django_db
def test_a_build_costs_the_counts_one_read_and_an_upsert_per_table_that_moved(section):
    article = ArticleFactory(section=section, tags=["Banjir"])
    Article.objects.filter(pk=article.pk).update(
        status=Status.PUBLISHED, published_at=timezone.now()
    )

    with CaptureQueriesContext(connection) as publish:
        published_refresh(article_ids=[article.pk])
    with CaptureQueriesContext(connection) as rebuild:
        published_refresh(article_ids=[article.pk])

    # The read of what the rows counted (one UNION ALL), then an upsert of each count table
    # when something moved; nothing moved on the second build.
    assert _on_counts(publish) == ["UNION ALL", "publishedsectionday", "publishedtagday"]
    assert _on_counts(rebuild) == ["UNION ALL"]


def _on_counts(context) -> list[str]:
    names = ("UNION ALL", "publishedsectionday", "publishedtagday")
    return [name for q in context.captured_queries for name in names if name in q["sql"]]


# --- Concurrency (PostgreSQL) --------------------------------------------------------------


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_publishes_at_once_on_one_day_and_section_count_exactly(editor, sent_tasks):
    section = SectionFactory()
    tag = TopicTagFactory()
    drafts = [ArticleFactory(section=section, tags=[tag]) for _ in range(8)]
    # A row for the day exists for half the race (an update), not for the other (an insert):
    # published now, on the day the race publishes (the factory's hour ago is the day before
    # between midnight and 1 a.m. in the site's time zone).
    ArticleFactory(published=True, published_at=timezone.now(), section=section, tags=[tag])

    outcomes = run_together(
        *(
            lambda article=article: article_publish(article=article, user=editor)
            for article in drafts
        )
    )

    assert [outcome.error for outcome in outcomes] == [None] * 8
    today = published_day(timezone.now())
    assert PublishedSectionDay.objects.get(day=today, section=section).count == 9
    assert PublishedTagDay.objects.get(day=today, tag=tag).count == 9
    _assert_exact()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_publishes_and_unpublishes_at_once_count_exactly(editor, sent_tasks):
    sections = [SectionFactory(), SectionFactory()]
    tags = [TopicTagFactory(), TopicTagFactory()]
    live = [
        ArticleFactory(published=True, section=sections[i % 2], tags=tags[: 1 + i % 2])
        for i in range(4)
    ]
    drafts = [ArticleFactory(section=sections[i % 2], tags=tags[::-1]) for i in range(4)]

    outcomes = run_together(
        *(lambda a=a: article_unpublish(article=a, user=editor) for a in live),
        *(lambda a=a: article_publish(article=a, user=editor) for a in drafts),
    )

    assert [outcome.error for outcome in outcomes] == [None] * 8
    _assert_exact()


# --- The migration --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_0006_counts_the_published_rows_there_are(editor, section):
    ArticleFactory(published=True, section=section, tags=["Banjir", "Gempa"])
    ArticleFactory(published=True, section=section, published_at=timezone.now() - timedelta(4))
    ArticleFactory(section=section, tags=["Banjir"])  # a draft counts nowhere
    counted = _stored()

    executor = MigrationExecutor(connection)
    executor.migrate([("published", "0005_published_documents_lz4")])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert _stored() == counted
    _assert_exact()


# --- The dashboard --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_counts_give_the_demo_dashboard_the_direct_counts_charts_and_tables(
    client, settings, editor
):
    settings.DEBUG = True
    call_command("seed_demo", force=True, stdout=io.StringIO())
    now = timezone.now()
    days = dashboard_chart_days(now=now)
    first, last = dashboard_tag_days(now=now)

    per_day = published_per_day(days=days)
    tags = published_top_tags(first=first, last=last)

    assert per_day == dashboard_published_per_day(user=editor, now=now)
    assert tags == dashboard_top_tags(user=editor, now=now)
    assert per_day.sections and tags  # the demo publishes in these days
    assert published_chart(per_day) and published_table(per_day) and tags_chart(tags)

    # The page: read from the counts (no desk), then counted directly (a desk with every
    # section left without one scopes nothing away): the same charts and tables.
    client.force_login(editor)
    from_counts = _charts(client.get("/admin/").content.decode())
    Desk.objects.create(name="Semua", slug="semua").members.add(editor)
    assert not Section.objects.filter(desk__isnull=False).exists()
    counted = _charts(client.get("/admin/").content.decode())
    assert from_counts == counted
    assert "<rect " in from_counts[0] and "<rect " in from_counts[1]


def _charts(html: str) -> tuple[str, str]:
    panels = []
    for panel_id in ("published-per-day", "top-tags"):
        match = re.search(rf'<section class="module" id="{panel_id}".*?</section>', html, re.S)
        panels.append(match.group(0))
    return panels[0], panels[1]
