"""Related-reading suggestions: other live articles that share rare tags, newer first.

Ranking (`related_suggestions_rank`)::

    score = sum over shared tags of idf(tag) * (0.5 + 0.5 * 2 ** (-age_days / HALF_LIFE_DAYS))
    idf(tag) = ln(1 + live articles / live articles with the tag)

A tag on few articles ("Gempa Cianjur") says more than one on thousands ("Jakarta"); an
article keeps at least half its weight however old it is. Ties (same score) go, on
PostgreSQL, to the candidate whose text best matches the article's headline (`ts_rank`),
then to the newer one.

Computed in the background (an outbox job) when an article becomes visible and when it is
republished, and stored as `RelatedSuggestion` rows, so the API only reads them; it still
re-checks that each suggested article is live. An article that becomes visible may suit
articles published before it, so theirs are computed again too, within a bound
(`related_suggestions_on_publish`).
"""

from __future__ import annotations

import math
import re
import uuid
from datetime import datetime, timedelta
from itertools import islice

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections, transaction
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    Max,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from articles.models import SEARCH_CONFIGS, Article, RelatedSuggestion, TaggedArticle
from articles.published.build import published_refresh
from articles.published.kinds import RELATED_SUGGESTIONS
from newsroom.jobs.models import BackgroundJob
from newsroom.jobs.services import job_claim, job_finish, job_request, job_request_many

HALF_LIFE_DAYS = 30
# Candidates read from the database, best by tag score; recency then reorders them. A
# candidate outside this pool would need less than half the tag score of the pool's last.
CANDIDATE_POOL = 500

# When an article becomes visible, the suggestions of the articles it may now suit are
# computed again: live ones sharing one of its tags, published in the last
# REFRESH_WINDOW_DAYS, newest first, at most REFRESH_MAX_ARTICLES per article (older ones
# keep theirs; their candidates are older too).
REFRESH_WINDOW_DAYS = 30
REFRESH_MAX_ARTICLES = 50

_HEADLINE_WORD = re.compile(r"[^\W_]+")


def recency_factor(*, published_at: datetime, now: datetime) -> float:
    """1.0 for an article published now, 0.75 after one half-life, towards 0.5 after."""
    age_days = max(0.0, (now - published_at).total_seconds() / 86400)
    return 0.5 + 0.5 * 2 ** (-age_days / HALF_LIFE_DAYS)


def related_suggestions_rank(
    *, article: Article, limit: int = 5, now: datetime | None = None
) -> list[tuple[Article, float]]:
    """The best `limit` live articles to read next to `article`, with their scores.

    Never `article` itself and never an article that is not live. Four queries (tags and
    their live counts, total, candidates, articles), five on PostgreSQL (text similarity).
    """
    now = now or timezone.now()
    live = Article.objects.live(now=now)
    document_frequency = dict(
        TaggedArticle.objects.filter(
            content_object__in=live.values("pk"),
            tag__in=TaggedArticle.objects.filter(content_object=article).values("tag"),
        )
        .values("tag")
        .annotate(n=Count("id"))
        .values_list("tag", "n")
    )
    if not document_frequency:
        return []
    total = live.count()
    idf = {tag: math.log(1 + total / n) for tag, n in document_frequency.items()}
    weight = Case(
        *(When(tag_id=tag, then=Value(value)) for tag, value in idf.items()),
        default=Value(0.0),
        output_field=FloatField(),
    )
    pool = list(
        TaggedArticle.objects.filter(tag__in=list(idf), content_object__in=live.values("pk"))
        .exclude(content_object=article.pk)
        .values("content_object")
        .annotate(tag_score=Sum(weight), published_at=Max("content_object__published_at"))
        .order_by("-tag_score", "-published_at", "-content_object")[:CANDIDATE_POOL]
    )
    scores = {
        row["content_object"]: row["tag_score"]
        * recency_factor(published_at=row["published_at"], now=now)
        for row in pool
    }
    best = sorted(scores, key=lambda pk: -scores[pk])[: limit * 4]
    articles = Article.objects.filter(pk__in=best).select_related("section")
    similarity = _headline_similarity(article=article, candidates=articles)
    ranked = sorted(
        articles,
        key=lambda a: (
            -round(scores[a.pk], 9),
            -similarity.get(a.pk, 0.0),
            -a.published_at.timestamp(),
            -a.pk,
        ),
    )
    return [(a, scores[a.pk]) for a in ranked[:limit]]


def _headline_similarity(*, article: Article, candidates) -> dict[int, float]:
    """PostgreSQL: `ts_rank` of each candidate's search vector against the headline words.

    Empty elsewhere (SQLite has no stored search vector); the order then falls back to time.
    """
    if connections[candidates.db].vendor != "postgresql":
        return {}
    words = _HEADLINE_WORD.findall(article.headline.lower())[:20]
    if not words:
        return {}
    config = SEARCH_CONFIGS.get(article.language, "simple")
    # Only letters and digits reach the raw query, joined by OR.
    query = SearchQuery(" | ".join(words), config=config, search_type="raw")
    ranked = candidates.annotate(similarity=SearchRank(F("search_vector"), query))
    return {pk: value or 0.0 for pk, value in ranked.values_list("pk", "similarity")}


def related_suggestions_refresh(*, article_id: int, now: datetime | None = None) -> int:
    """Recompute and store the suggestions of one article; returns how many were stored.

    An article that is not live (or gone) keeps none. Idempotent: the rows are replaced in
    one transaction.
    """
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return 0
    ranked = []
    if Article.objects.live(now=now).filter(pk=article_id).exists():
        ranked = related_suggestions_rank(
            article=article, limit=settings.RELATED_SUGGESTIONS_COUNT, now=now
        )
    computed_at = timezone.now()
    with transaction.atomic():
        RelatedSuggestion.objects.filter(article=article).delete()
        RelatedSuggestion.objects.bulk_create(
            RelatedSuggestion(
                article=article,
                target=target,
                score=score,
                position=position,
                computed_at=computed_at,
            )
            for position, (target, score) in enumerate(ranked, start=1)
        )
        published_refresh(article_ids=[article_id])
    return len(ranked)


def related_suggestions_request(*, article_id: int) -> BackgroundJob:
    """Ask for fresh suggestions for an article; the worker gets the message after commit.

    Every request is new work (a fresh key): the archive changed since the last one.
    """
    return job_request(kind=RELATED_SUGGESTIONS, object_id=article_id, key=uuid.uuid4().hex)


def related_suggestions_on_publish(
    *, article_ids: list[int], now: datetime | None = None
) -> list[int]:
    """`article_ids` just became visible: ask for their suggestions and for those of the
    recent articles they may suit (`REFRESH_WINDOW_DAYS`, `REFRESH_MAX_ARTICLES` each, the
    newest first), in the background. Coalesced: an article whose job is still pending is
    not asked twice. Returns the ids asked for. Queries: two for any number of articles
    (their tags; the recent live articles sharing one, with their tags), plus those of
    `job_request_many`.
    """
    now = now or timezone.now()
    since = now - timedelta(days=REFRESH_WINDOW_DAYS)
    wanted = dict.fromkeys(article_ids)  # ordered, without repeats
    tags_of: dict[int, set[int]] = {}
    for article_id, tag_id in TaggedArticle.objects.filter(
        content_object__in=article_ids
    ).values_list("content_object", "tag"):
        tags_of.setdefault(article_id, set()).add(tag_id)
    if tags_of:
        # The recent live articles sharing a tag with any of them, newest first, with the
        # tags they share: each article's neighbours are the first of these sharing one of
        # its own (one query for the whole publish, e.g. an import's batch).
        recent: dict[int, set[int]] = {}
        for neighbour, tag_id in (
            TaggedArticle.objects.filter(
                tag__in=set().union(*tags_of.values()),
                content_object__in=Article.objects.live(now=now)
                .filter(published_at__gte=since)
                .exclude(pk__in=article_ids),
            )
            .order_by("-content_object__published_at", "-content_object")
            .values_list("content_object", "tag")
        ):
            recent.setdefault(neighbour, set()).add(tag_id)
        for article_id in article_ids:
            tags = tags_of.get(article_id)
            if tags and recent:
                neighbours = (pk for pk, theirs in recent.items() if theirs & tags)
                wanted.update(dict.fromkeys(islice(neighbours, REFRESH_MAX_ARTICLES)))
    return job_request_many(kind=RELATED_SUGGESTIONS, object_ids=list(wanted))


def related_suggestions_run(*, article_id: int, worker: str = "") -> BackgroundJob | None:
    """The suggestions job: claim, refresh, finish. None when there was nothing to do."""
    job = job_claim(kind=RELATED_SUGGESTIONS, object_id=article_id, worker=worker)
    if job is None:
        return None
    key = job.key
    related_suggestions_refresh(article_id=article_id)
    job_finish(job=job, key=key)
    job.refresh_from_db()
    return job
