"""The admin's index as the editors' dashboard: the day at a glance.

`dashboard_index` is the admin's index view with the dashboard's context (newsroom/urls.py
routes `admin/` to it and makes `admin/articles/dashboard.html` the index template). The
numbers come from `articles.services.dashboard` (the chart and the tags of the week from the
counts per day of `articles.published.counts`, unless desk scoping limits the user) and from
the failed work of the jobs and webhook outboxes; this module only turns them into links and
the geometry of two SVG charts, which the template draws with a table of the same numbers
beside each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import cycle
from urllib.parse import urlencode

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from articles.photos.services import PHOTO_RENDITIONS
from articles.published.counts import published_per_day, published_top_tags
from articles.published.webhooks import webhook_deliveries_failed
from articles.services.dashboard import (
    PANEL_ITEMS,
    PublishedPerDay,
    SectionSeries,
    TagCount,
    dashboard_article_panels,
    dashboard_chart_days,
    dashboard_published_per_day,
    dashboard_sees_every_article,
    dashboard_tag_days,
    dashboard_top_tags,
)
from newsroom.jobs.registry import job_kind
from newsroom.jobs.services import jobs_failed

VIEW_ARTICLES = "articles.view_article"
# Failures are counted up to this number; the dashboard then shows "100+".
FAILED_COUNT_UP_TO = 100

# Okabe and Ito's colour-blind safe palette (without its yellow, too pale on white); sections
# beyond it share the grey of "Other sections".
SECTION_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#882255")
OTHER_COLOUR = "#999999"
TAG_COLOUR = "#0072B2"

CHART_WIDTH = 640
CHART_HEIGHT = 240
CHART_LEFT = 36
CHART_RIGHT = 8
CHART_TOP = 12
CHART_BOTTOM = 28
TAG_ROW_HEIGHT = 24
TAG_LABEL_WIDTH = 150
TAG_LABEL_CHARS = 20


def dashboard_index(request):
    """The admin's index view (its app list included) with the dashboard's context."""
    return admin.site.index(request, extra_context=dashboard_context(request))


def dashboard_context(request) -> dict:
    """The dashboard's numbers for `request.user`: the article panels and charts for who may
    see articles in the admin, the failed work for who may see it (see `_failed_jobs`)."""
    user = request.user
    context = {
        "failed_jobs": _failed_jobs(user),
        "failed_deliveries": _failed_deliveries(user),
        "failed_count_up_to": FAILED_COUNT_UP_TO,
    }
    if not user.has_perm(VIEW_ARTICLES):
        return context
    panels = dashboard_article_panels(user=user)
    if dashboard_sees_every_article(user):
        # The counts per day the publish door keeps: as fast at any publishing rate.
        per_day = published_per_day(days=dashboard_chart_days(now=panels.now))
        first, last = dashboard_tag_days(now=panels.now)
        tags = published_top_tags(first=first, last=last)
    else:
        # Desk scoping: counted among the articles the user may see.
        per_day = dashboard_published_per_day(user=user, now=panels.now)
        tags = dashboard_top_tags(user=user, now=panels.now)
    return {
        **context,
        "panels": panels,
        "panel_links": _panel_links(panels.today),
        "per_day_chart": published_chart(per_day),
        "per_day_table": published_table(per_day),
        "tags": [
            (tag, _changelist(status="published", tags__id__exact=tag.tag_id)) for tag in tags
        ],
        "tags_chart": tags_chart(tags),
    }


def _changelist(*, status: str | None = None, **filters) -> str:
    """The article list, filtered with the parameters of its own list filters."""
    if status:
        filters = {"status__exact": status, **filters}
    url = reverse("admin:articles_article_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def _panel_links(today: date) -> dict[str, str]:
    # The parameters the list's "published at: Today" filter uses, so the list shows it chosen.
    day_start = datetime.combine(today, datetime.min.time())
    start = timezone.make_aware(day_start)
    end = timezone.make_aware(day_start + timedelta(days=1))
    return {
        "my_drafts": _changelist(status="draft"),
        "in_review": _changelist(status="in_review"),
        "scheduled_soon": _changelist(status="scheduled"),
        "published_today": _changelist(
            status="published", published_at__gte=str(start), published_at__lt=str(end)
        ),
    }


@dataclass(frozen=True)
class FailedItem:
    label: str
    detail: str
    url: str
    at: datetime | None


@dataclass(frozen=True)
class FailedWork:
    count: int
    items: list[FailedItem]
    list_url: str


def _failed_jobs(user) -> FailedWork | None:
    """Failed background jobs: every kind for who may see the jobs admin; photo renditions,
    linked to the photo, for who may see photos; nothing (and no query) for anyone else."""
    can_see_jobs = user.has_perm("jobs.view_backgroundjob")
    if can_see_jobs:
        kinds = None
    elif user.has_perm("photos.view_photo"):
        kinds = [PHOTO_RENDITIONS]
    else:
        return None
    count, jobs = jobs_failed(kinds=kinds, limit=PANEL_ITEMS, count_up_to=FAILED_COUNT_UP_TO)
    items = []
    for job in jobs:
        url = _job_object_url(job.kind, job.object_id)
        if not url and can_see_jobs:
            url = reverse("admin:jobs_backgroundjob_change", args=[job.pk])
        items.append(
            FailedItem(
                label=f"{job.kind_label} #{job.object_id}",
                detail=job.last_error[:160],
                url=url,
                at=job.updated_at,
            )
        )
    list_url = ""
    if can_see_jobs:
        list_url = f"{reverse('admin:jobs_backgroundjob_changelist')}?status__exact=failed"
    return FailedWork(count=count, items=items, list_url=list_url)


def _job_object_url(kind: str, object_id: int) -> str:
    """The admin page of a job's object, where its kind names a model (as the jobs admin)."""
    try:
        model = job_kind(kind).model
    except LookupError:
        return ""
    if not model:
        return ""
    app_label, model_name = model.lower().split(".")
    try:
        return reverse(f"admin:{app_label}_{model_name}_change", args=[object_id])
    except NoReverseMatch:
        return ""


def _failed_deliveries(user) -> FailedWork | None:
    """Webhook deliveries given up on, for who may see them in the admin."""
    if not user.has_perm("published.view_webhookdelivery"):
        return None
    count, deliveries = webhook_deliveries_failed(limit=PANEL_ITEMS, count_up_to=FAILED_COUNT_UP_TO)
    items = [
        FailedItem(
            label=f"{delivery.event_type} → {delivery.subscription.name}",
            detail=delivery.last_error[:160],
            url=reverse("admin:published_webhookdelivery_change", args=[delivery.pk]),
            at=delivery.created_at,
        )
        for delivery in deliveries
    ]
    list_url = f"{reverse('admin:published_webhookdelivery_changelist')}?status__exact=failed"
    return FailedWork(count=count, items=items, list_url=list_url)


# --- Charts: geometry only; the template writes the SVG elements -------------------------


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class DayLabel:
    day: date
    x: float


@dataclass(frozen=True)
class LegendEntry:
    name: str
    colour: str


def _nice_ceiling(value: int) -> tuple[int, int]:
    """An axis maximum of at least `value` and its tick step, in steps of 1, 2 or 5 × 10ⁿ."""
    value = max(value, 1)
    step, factors = 1, cycle((2, 2.5, 2))
    while value > step * 5:
        step = int(step * next(factors))
    return -(-value // step) * step, step


def _chart_series(per_day: PublishedPerDay) -> list[tuple[SectionSeries, str]]:
    """Each section with its colour; sections beyond the palette share "Other sections"."""
    shown = per_day.sections[: len(SECTION_COLOURS)]
    rest = per_day.sections[len(SECTION_COLOURS) :]
    series = list(zip(shown, SECTION_COLOURS, strict=False))
    if rest:
        counts = [sum(column) for column in zip(*(s.counts for s in rest), strict=True)]
        series.append((SectionSeries(None, "Other sections", counts), OTHER_COLOUR))
    return series


def published_chart(per_day: PublishedPerDay) -> dict:
    """Stacked bars: one per day, one segment per section, bottom to top by section size."""
    series = _chart_series(per_day)
    totals = per_day.totals if per_day.sections else [0] * len(per_day.days)
    ceiling, step = _nice_ceiling(max(totals, default=0))
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    slot = plot_width / len(per_day.days)
    bar_width = round(slot * 0.7, 2)
    bottom = CHART_TOP + plot_height

    bars = []
    for index, day in enumerate(per_day.days):
        x = round(CHART_LEFT + index * slot + (slot - bar_width) / 2, 2)
        y = bottom
        for section, colour in series:
            count = section.counts[index]
            if not count:
                continue
            height = count / ceiling * plot_height
            y -= height
            bars.append(
                Bar(
                    x,
                    round(y, 2),
                    bar_width,
                    round(height, 2),
                    colour,
                    f"{day:%Y-%m-%d}, {section.name}: {count}",
                )  # fmt: skip
            )
    ticks = [
        Tick(value, round(bottom - value / ceiling * plot_height, 2))
        for value in range(0, ceiling + 1, step)
    ]
    # A date under every fifth bar, ending with today's.
    last = len(per_day.days) - 1
    labels = [
        DayLabel(day, round(CHART_LEFT + index * slot + slot / 2, 2))
        for index, day in enumerate(per_day.days)
        if (last - index) % 5 == 0
    ]
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "right": CHART_WIDTH - CHART_RIGHT,
        "bottom": bottom,
        "label_y": bottom + 18,
        "bars": bars,
        "ticks": ticks,
        "labels": labels,
        "legend": [LegendEntry(section.name, colour) for section, colour in series],
    }


def published_table(per_day: PublishedPerDay) -> dict:
    """The chart's numbers for screen readers: a row per day, newest first, a column per
    section (each linked to its published articles) and the day's total."""
    sections = [
        (series.name, _changelist(status="published", section__id__exact=series.section_id))
        for series in per_day.sections
    ]
    totals = per_day.totals if per_day.sections else [0] * len(per_day.days)
    rows = [
        (day, [series.counts[index] for series in per_day.sections], totals[index])
        for index, day in reversed(list(enumerate(per_day.days)))
    ]
    return {"sections": sections, "rows": rows, "total": sum(totals)}


def tags_chart(tags: list[TagCount]) -> dict:
    """Horizontal bars, one per tag, most used on top, the count at the end of each."""
    top = max((tag.count for tag in tags), default=1)
    bar_space = CHART_WIDTH - TAG_LABEL_WIDTH - 40
    rows = []
    for index, tag in enumerate(tags):
        y = index * TAG_ROW_HEIGHT
        width = round(tag.count / top * bar_space, 2)
        name = (
            tag.name if len(tag.name) <= TAG_LABEL_CHARS else f"{tag.name[: TAG_LABEL_CHARS - 1]}…"
        )
        rows.append(
            {
                "label": name,
                "title": f"{tag.name}: {tag.count}",
                "count": tag.count,
                "label_y": y + TAG_ROW_HEIGHT * 0.65,
                "bar": Bar(TAG_LABEL_WIDTH + 6, y + 4, width, TAG_ROW_HEIGHT - 8, TAG_COLOUR, ""),
                "count_x": TAG_LABEL_WIDTH + 12 + width,
            }
        )
    return {
        "width": CHART_WIDTH,
        "height": max(len(tags), 1) * TAG_ROW_HEIGHT,
        "label_x": TAG_LABEL_WIDTH,
        "rows": rows,
    }
