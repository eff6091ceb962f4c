"""What webhook subscribers are told about published articles, and the reveal of rows whose
embargo or publish time has passed.

Subscribers hear what readers may see: nothing while an article is hidden,
`article.published` once when it becomes visible, then `article.updated` and
`article.unpublished` (docs/reliability.md J3: one `article.published` per publish, however
many schedulers run).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from articles.models import Article
from articles.published.build import published_dependents, published_refresh
from articles.published.cache import published_cache_purge
from articles.published.models import PublishedArticle
from articles.published.suggestions import related_suggestions_on_publish
from articles.published.webhooks import webhook_events_emit


def published_reveal_due(*, now: datetime | None = None) -> int:
    """Rows whose embargo or publish time has just passed: the articles linking to them get
    the link now (it was left out while the target was hidden), and subscribers hear
    `article.published`, the event held back while it was hidden. Run by the scheduler's
    periodic task; returns the rows revealed.

    Exactly once per row, however many schedulers run: rows are claimed under
    `select_for_update(skip_locked=True)` (another scheduler skips them) and only while
    `reveal_pending` is still set (`published_notify` may have claimed one first).
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            PublishedArticle.objects.select_for_update(skip_locked=True)
            .filter(reveal_pending=True, visible_from__lte=now)
            .values_list("article_id", flat=True)[:500]
        )
        if not due:
            return 0
        PublishedArticle.objects.filter(article_id__in=due, reveal_pending=True).update(
            reveal_pending=False
        )
        # Visible now: their lists and anything that cached them as missing.
        published_cache_purge(before=dict.fromkeys(due))
        published_refresh(article_ids=published_dependents(article_ids=due), now=now)
        _announce({article_id: "article.published" for article_id in due})
    return len(due)


# --- What subscribers are told ---------------------------------------------------------------
# Subscribers are told what readers may see, and an embargo holds it back (docs/reliability.md J3:
# one `article.published` per publish, however many schedulers run). An article is "told"
# while its row exists with `reveal_pending` clear. A row built hidden (an embargo, or a
# publish time ahead) keeps `reveal_pending` set; whoever clears it with a conditional UPDATE
# sends the one `article.published`: the reveal, or `published_notify` when an edit finds the
# row already visible.


def published_told(*, article_ids: Iterable[int]) -> dict[int, bool | None]:
    """Per article: True if subscribers were told it is published, False if its row waits to
    be revealed, None without a row. One query."""
    told: dict[int, bool | None] = dict.fromkeys(article_ids)
    rows = PublishedArticle.objects.filter(article_id__in=list(told)).values_list(
        "article_id", "reveal_pending"
    )
    told.update({article_id: not pending for article_id, pending in rows})
    return told


def published_notify(*, told: dict[int, bool | None], now: datetime | None = None) -> None:
    """Tell subscribers about articles whose rows were just rebuilt, given what they had been
    told before (`published_told`).

    Told before: `article.updated` if it is still visible, `article.unpublished` if it is not
    (unpublished, trashed, or taken back under an embargo). Not told: `article.published` if
    it is visible now, else nothing: events about a hidden article are held, and the reveal
    sends `article.published` when it becomes visible. One query (and one per row it claims
    from the reveal), and those of `webhook_events_emit` when there is something to tell.
    """
    now = now or timezone.now()
    rows = {
        article_id: (visible_from, pending)
        for article_id, visible_from, pending in PublishedArticle.objects.filter(
            article_id__in=list(told)
        ).values_list("article_id", "visible_from", "reveal_pending")
    }
    events: dict[int, str] = {}
    revealed: list[int] = []
    for article_id, was_told in told.items():
        visible_from, pending = rows.get(article_id, (None, False))
        if visible_from is None or visible_from > now:
            if was_told:
                events[article_id] = "article.unpublished"
            continue
        claimed = pending and bool(
            PublishedArticle.objects.filter(article_id=article_id, reveal_pending=True).update(
                reveal_pending=False
            )
        )
        if claimed:
            revealed.append(article_id)
        if was_told:
            events[article_id] = "article.updated"
        elif claimed or (was_told is None and not pending):
            events[article_id] = "article.published"
        else:
            # Waiting to be revealed, and the reveal got there first: it said "published".
            events[article_id] = "article.updated"
    if revealed:
        # The reveal's other half: articles linking to them show the link now.
        published_refresh(article_ids=published_dependents(article_ids=revealed), now=now)
    if events:
        _announce(events)


def _announce(events: dict[int, str]) -> None:
    """Send `events` (article id -> event type); an article that became visible also gets
    its related reading suggested, and refreshes that of recent articles it suits."""
    # What `webhook_payload` reads: not the body, which may be large (a tag merge tells many).
    articles = (
        Article.objects.select_related("section")
        .only("headline", "slug", "status", "published_at", "canonical_url", "section__slug")
        .in_bulk(list(events))
    )
    webhook_events_emit(events=[(events[pk], article) for pk, article in sorted(articles.items())])
    published = [pk for pk, event in events.items() if event == "article.published"]
    if published:
        related_suggestions_on_publish(article_ids=published)
