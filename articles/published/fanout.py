"""Fan-out: rebuilding the published articles that show one shared thing (a tag, an author, a
section, a photo, a linked article's headline and URL) after it changed, and those a tag
merge moved.

Up to `PUBLISHED_FANOUT_INLINE_LIMIT` articles are rebuilt in the change's transaction, as
before. More are handed to an outbox job (`newsroom.jobs`), one per (kind, object), that
rebuilds them in batches of `PUBLISHED_FANOUT_BATCH` articles in article id order, each
batch in its own transaction with the job's cursor, so readers see each document with the
old or the new name, never half of it, and a job taken again after its worker died goes
on after the last batch that committed. A batch builds from the editing tables as they are
then, so a second rename while the job runs is never lost: it restarts the job from the
first article (a new key; the running worker stops after its batch). A rename's batch patches
the documents rather than building them in full (`articles.published.patch`).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

from articles.models import ArticlePhoto, RelatedLink, RelatedSuggestion, TaggedArticle
from articles.published.build import (
    published_dependents,
    published_refresh,
    published_refresh_linking,
    published_sync,
)
from articles.published.cache import published_cache_purge, published_cache_snapshot
from articles.published.kinds import (
    FANOUT_AUTHOR,
    FANOUT_LINKS,
    FANOUT_PHOTO,
    FANOUT_SECTION,
    FANOUT_TAG,
    FANOUT_TAG_MERGE,
)
from articles.published.models import PublishedArticle, PublishedArticleAuthor, PublishedArticleTag
from articles.published.notify import published_notify, published_told
from articles.published.patch import Patch, author_patch, published_patch, section_patch, tag_patch
from newsroom.jobs.models import BackgroundJob
from newsroom.jobs.services import (
    job_advance,
    job_claim,
    job_continue,
    job_finish,
    job_request,
)

# A task hands its job back to the queue after this long (well inside the task time limit);
# the next message goes on from the cursor.
FANOUT_TASK_SECONDS = 60


@dataclass(frozen=True)
class Fanout:
    # The ids of the published articles showing the object (`article_id`, unordered).
    ids: Callable[[int], QuerySet]
    # A section is part of its articles' URLs, which the articles linking to them show.
    links: bool = False
    # Subscribers hear `article.updated` for the articles whose document changed (a merge).
    notify: bool = False
    # A batch in the background patches what the documents show of the object instead of
    # building them in full (`articles.published.patch`): a rename.
    patch: Callable[[list[int]], Patch] | None = None


def _with_tag(pk: int) -> QuerySet:
    return PublishedArticleTag.objects.filter(tag_id=pk).values_list("article_id", flat=True)


def _tagged(pk: int) -> QuerySet:
    # A merge's source tag is gone with its published tag rows: the editing world says
    # which articles now carry the target.
    tagged = TaggedArticle.objects.filter(tag_id=pk).values("content_object_id")
    return PublishedArticle.objects.filter(article_id__in=tagged).values_list(
        "article_id", flat=True
    )


def _with_author(pk: int) -> QuerySet:
    return PublishedArticleAuthor.objects.filter(author_id=pk).values_list("article_id", flat=True)


def _in_section(pk: int) -> QuerySet:
    return PublishedArticle.objects.filter(section_id=pk).values_list("article_id", flat=True)


def _with_photo(pk: int) -> QuerySet:
    inline = ArticlePhoto.objects.filter(photo_id=pk).values("article_id")
    return PublishedArticle.objects.filter(
        Q(article__lead_photo_id=pk) | Q(article_id__in=inline)
    ).values_list("article_id", flat=True)


def _linking(pk: int) -> QuerySet:
    # Articles whose related reading shows the article (`published_dependents`).
    linking = RelatedLink.objects.filter(target_article_id=pk).values("article_id")
    suggesting = RelatedSuggestion.objects.filter(target_id=pk).values("article_id")
    return (
        PublishedArticle.objects.filter(Q(article_id__in=linking) | Q(article_id__in=suggesting))
        .exclude(article_id=pk)
        .values_list("article_id", flat=True)
    )


FANOUTS: dict[str, Fanout] = {
    FANOUT_TAG: Fanout(ids=_with_tag, patch=tag_patch),
    FANOUT_TAG_MERGE: Fanout(ids=_tagged, notify=True),
    FANOUT_AUTHOR: Fanout(ids=_with_author, patch=author_patch),
    FANOUT_SECTION: Fanout(ids=_in_section, links=True, patch=section_patch),
    FANOUT_PHOTO: Fanout(ids=_with_photo),
    FANOUT_LINKS: Fanout(ids=_linking),
}


def published_fanout(*, kind: str, object_id: int) -> int:
    """Rebuild the published articles showing the object now, if they are few; otherwise
    ask for a job. Returns how many articles the job will rebuild (0: done now).

    One query to find the articles when they are few (then those of the rebuild), three
    more for the job otherwise.
    """
    fanout = FANOUTS[kind]
    limit = settings.PUBLISHED_FANOUT_INLINE_LIMIT
    ids = list(fanout.ids(object_id)[: limit + 1])
    if len(ids) <= limit:
        cached = published_cache_snapshot(article_ids=ids)
        if fanout.links:
            published_sync(article_ids=ids)
        else:
            published_refresh(article_ids=ids)
        published_cache_purge(before=cached)
        return 0
    return published_fanout_request(kind=kind, object_id=object_id)


def published_sync_fanout(*, article_ids: Iterable[int]) -> int:
    """`published_sync`, the call for a change of the articles themselves, with the articles
    linking to them (their cards show the headline, URL and publish time) rebuilt by a job per
    linked article when there are more than `PUBLISHED_FANOUT_INLINE_LIMIT`. Returns how many
    the jobs will rebuild (0: done now)."""
    ids = set(article_ids)
    published_refresh(article_ids=ids)
    dependents = published_dependents(article_ids=ids)
    if len(dependents) <= settings.PUBLISHED_FANOUT_INLINE_LIMIT:
        published_refresh_linking(article_ids=dependents)
        return 0
    shown = set(
        RelatedLink.objects.filter(
            target_article_id__in=ids, article__published__isnull=False
        ).values_list("target_article_id", flat=True)
    ) | set(
        RelatedSuggestion.objects.filter(
            target_id__in=ids, article__published__isnull=False
        ).values_list("target_id", flat=True)
    )
    return sum(published_fanout_request(kind=FANOUT_LINKS, object_id=pk) for pk in sorted(shown))


def published_fanout_request(*, kind: str, object_id: int) -> int:
    """Ask for the background rebuild of the articles showing the object, from the first;
    returns how many there are now. The job is sent after commit."""
    total = FANOUTS[kind].ids(object_id).count()
    job_request(kind=kind, object_id=object_id, key=uuid.uuid4().hex, total=total)
    return total


def published_fanout_run(
    *, kind: str, object_id: int, max_batches: int | None = None
) -> BackgroundJob | None:
    """Carry out a fan-out job: rebuild its articles batch by batch from its cursor.

    None if the job is not there to take (done, failed, unknown). Stops early, leaving the
    job running, after `max_batches` (tests stand in for a worker that dies); hands the job
    back to the queue after `FANOUT_TASK_SECONDS`; stops after the batch in which a newer
    request changed the job's key (that request's message starts it again) or another
    worker (a message delivered twice) moved the cursor.
    """
    job = job_claim(kind=kind, object_id=object_id)
    if job is None:
        return None
    fanout = FANOUTS[kind]
    key, cursor = job.key, job.cursor
    started = time.monotonic()
    batches = 0
    while True:
        ids = list(
            fanout.ids(object_id)
            .filter(article_id__gt=cursor)
            .order_by("article_id")
            .distinct()[: settings.PUBLISHED_FANOUT_BATCH]
        )
        if not ids:
            if job_finish(job=job, key=key):
                job.status = BackgroundJob.Status.DONE
            return job
        with transaction.atomic():
            _rebuild_batch(fanout, ids)
            current = job_advance(job=job, key=key, start=cursor, cursor=ids[-1], done=len(ids))
        if not current:
            return job
        cursor = ids[-1]
        batches += 1
        if max_batches is not None and batches >= max_batches:
            return job
        if time.monotonic() - started > FANOUT_TASK_SECONDS:
            job_continue(job=job, key=key)
            return job


def _rebuild_batch(fanout: Fanout, ids: list[int]) -> None:
    # The HTTP cache drops what this batch changed once it commits (articles/published/cache.py).
    cached = published_cache_snapshot(article_ids=ids)
    _rebuild_batch_told(fanout, ids)
    published_cache_purge(before=cached)


def _rebuild_batch_told(fanout: Fanout, ids: list[int]) -> None:
    if fanout.patch is not None:
        published_patch(patch=fanout.patch, article_ids=ids)
        return
    if not fanout.notify:
        if fanout.links:
            published_sync(article_ids=ids)
        else:
            published_refresh(article_ids=ids)
        return
    before = dict(
        PublishedArticle.objects.filter(article_id__in=ids).values_list("article_id", "etag")
    )
    told = published_told(article_ids=ids)
    published_refresh(article_ids=ids)
    after = dict(
        PublishedArticle.objects.filter(article_id__in=ids).values_list("article_id", "etag")
    )
    changed = {pk: told[pk] for pk in ids if before.get(pk) != after.get(pk)}
    if changed:
        published_notify(told=changed)
