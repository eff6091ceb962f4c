"""The cache tags of public answers, and the purges a change of the published world asks for.

Tags (`cache_tag`):

* `article-<id>`: an article's detail, and the details whose related reading shows it;
* `section-<id>`, `tag-<id>`, `author-<id>`: answers that show its name (the details of its
  articles, its own answer);
* `articles`: the unfiltered lists, search, the feeds, the sitemaps and the tag and author
  directories (they change with every publish);
* `section-<id>-articles`, `tag-<id>-articles`, `author-<id>-articles`: its list of articles
  and feeds (and the count or presence shown in its own answer);
* `sections`, `tags`, `authors`: the directories, which show names.

A change purges, for every article that was or is visible, `article-<id>`, and when its lists
changed (visibility, publish time, teaser, section, tags or authors) the lists it left and
joined. An article that was never visible purges nothing: nothing about it leaves.

Purges are outbox jobs (kind `cache purge`, one row per tag): written in the transaction of
the change, sent to the cache by a `delivery` worker after the commit, retried by the task and
re-sent by the sweeper (`newsroom.jobs`). Nothing is recorded while `HTTP_CACHE_PURGE_BACKEND`
is `none`. The HTTP calls are `newsroom.http.cache_purge`'s.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from articles.published.kinds import CACHE_PURGE
from articles.published.models import PublishedArticle, PublishedArticleAuthor, PublishedArticleTag
from newsroom.http.cache_purge import PurgeError, PurgeUnavailable, cache_purge_send
from newsroom.jobs.models import BackgroundJob
from newsroom.jobs.registry import job_kind
from newsroom.jobs.services import TransientJobError, job_claim, job_fail, job_finish
from newsroom.replicas import replicas_wait_until_caught_up

# A tag is stored as the object id of its job: id × 16 + the kind's number.
_KINDS = [
    "articles", "article", "section", "tag", "author", "section-articles", "tag-articles",
    "author-articles", "sections", "tags", "authors",
]  # fmt: skip


def cache_tag(kind: str, pk: int | None = None) -> str:
    """`cache_tag("tag", 3)` is `tag-3`, `cache_tag("tag-articles", 3)` is `tag-3-articles`,
    `cache_tag("articles")` is `articles`."""
    if pk is None:
        return kind
    name, _, rest = kind.partition("-")
    return f"{name}-{pk}-{rest}" if rest else f"{name}-{pk}"


def cache_tag_object_id(tag: str) -> int:
    parts = tag.split("-")
    if len(parts) == 1:
        return _KINDS.index(parts[0])
    kind = "-".join([parts[0], *parts[2:]])
    return int(parts[1]) * 16 + _KINDS.index(kind)


def cache_tag_from_object_id(object_id: int) -> str:
    pk, number = divmod(object_id, 16)
    kind = _KINDS[number]
    return cache_tag(kind, pk) if kind not in ("articles", "sections", "tags", "authors") else kind


def cache_purge_enabled() -> bool:
    return settings.HTTP_CACHE_PURGE_BACKEND != "none"


# --- What a change purges ----------------------------------------------------------------------

Snapshot = dict[int, tuple | None]


def published_cache_snapshot(*, article_ids: Iterable[int]) -> Snapshot:
    """Per article: what its lists show of it if it is visible now (publish time, teaser, and
    the list tags it appears in), else None. Three queries (one when none is visible); none
    while purging is off."""
    ids = set(article_ids)
    if not ids or not cache_purge_enabled():
        return {}
    rows = PublishedArticle.objects.filter(
        article_id__in=ids, visible_from__lte=timezone.now()
    ).values_list("article_id", "section_id", "published_at", "teaser")
    lists: dict[int, set[str]] = {}
    seen: dict[int, tuple] = {}
    for article_id, section_id, published_at, teaser in rows:
        lists[article_id] = {cache_tag("articles"), cache_tag("section-articles", section_id)}
        seen[article_id] = (published_at, teaser)
    if seen:
        for model, kind, field in (
            (PublishedArticleTag, "tag-articles", "tag_id"),
            (PublishedArticleAuthor, "author-articles", "author_id"),
        ):
            for article_id, pk in model.objects.filter(article_id__in=list(seen)).values_list(
                "article_id", field
            ):
                lists[article_id].add(cache_tag(kind, pk))
    return {pk: (*seen[pk], frozenset(lists[pk])) if pk in seen else None for pk in sorted(ids)}


def published_cache_purge(*, before: Snapshot) -> list[str]:
    """Purge what changed for the articles of `before` (taken with `published_cache_snapshot`
    before they were rebuilt); returns the tags asked for."""
    if not before:
        return []
    after = published_cache_snapshot(article_ids=before)
    tags: set[str] = set()
    for article_id, old in before.items():
        new = after.get(article_id)
        if old is None and new is None:
            continue  # never visible: a purge would tell the world it exists
        tags.add(cache_tag("article", article_id))
        if old != new:
            for state in (old, new):
                if state is not None:
                    tags |= state[2]
    cache_purge_request(tags=tags)
    return sorted(tags)


# --- The outbox ------------------------------------------------------------------------------


def cache_purge_request(*, tags: Iterable[str]) -> list[int]:
    """Record a purge of `tags` in this transaction, sent after the commit. A tag whose purge
    is pending, running or done gets a new key, so a purge running now is made again after
    this change commits. Rows are locked in id order (no deadlock between two changes). Three
    queries; none while purging is off."""
    ids = sorted({cache_tag_object_id(tag) for tag in tags})
    if not ids or not cache_purge_enabled():
        return []
    key = uuid.uuid4().hex
    with transaction.atomic(savepoint=False):
        existing = set(
            BackgroundJob.objects.select_for_update()
            .filter(kind=CACHE_PURGE, object_id__in=ids)
            .order_by("object_id")
            .values_list("object_id", flat=True)
        )
        BackgroundJob.objects.bulk_create(
            [
                BackgroundJob(kind=CACHE_PURGE, object_id=pk, key=key)
                for pk in ids
                if pk not in existing
            ],
            ignore_conflicts=True,
        )
        if existing:
            BackgroundJob.objects.filter(kind=CACHE_PURGE, object_id__in=existing).update(
                key=key,
                status=BackgroundJob.Status.PENDING,
                attempts=0,
                last_error="",
                run_after=timezone.now(),
                finished_at=None,
            )
    transaction.on_commit(lambda: job_kind(CACHE_PURGE).task.delay(ids), robust=True)
    return ids


def cache_purge_run(*, object_ids: Iterable[int], worker: str = "") -> int:
    """Claim the purge jobs of `object_ids` and send their tags in one purge (batched by the
    backend), once the read replicas have replayed the changes (at most
    DATABASE_REPLICA_MAX_LAG_SECONDS); returns the tags purged. Raises `TransientJobError`
    when the cache did not answer (the task retries; the jobs stay claimed and count an
    attempt)."""
    jobs = [
        job
        for pk in sorted(set(object_ids))
        if (job := job_claim(kind=CACHE_PURGE, object_id=pk, worker=worker)) is not None
    ]
    if not jobs:
        return 0
    # The cache fetches again at once, maybe through a read replica: it must have the change.
    replicas_wait_until_caught_up()
    try:
        cache_purge_send([cache_tag_from_object_id(job.object_id) for job in jobs])
    except PurgeUnavailable as exc:
        for job in jobs:
            BackgroundJob.objects.filter(pk=job.pk, key=job.key).update(last_error=str(exc)[:2000])
        raise TransientJobError(str(exc)) from exc
    except PurgeError as exc:
        for job in jobs:
            job_fail(job=job, key=job.key, error=str(exc))
        return 0
    for job in jobs:
        job_finish(job=job, key=job.key)
    return len(jobs)
