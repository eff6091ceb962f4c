"""What readers and front ends get, byte for byte, held against golden files.

The demo content is seeded at a fixed time with fixed file names and fresh id sequences, its
background work is run, and then every public answer is recorded: the article, section,
author and tag lists (every page) and details, search, feeds, sitemaps, the OpenAPI schema,
a revalidation (304), error answers, and the stored published documents. The record must
equal `tests/golden/public_world.json` exactly, on SQLite and on PostgreSQL alike.

A change that moves code must leave these files alone. A change meant to alter what the
public sees rewrites them on purpose, and the diff is reviewed with the change:

    GOLDEN_UPDATE=1 .venv/bin/pytest tests/test_golden.py
"""

from __future__ import annotations

import itertools
import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import time_machine
from celery.app.task import Task
from django.core.management import call_command
from django.test import Client

from articles.models import Article
from articles.photos.models import Photo
from articles.photos.services import photo_renditions_run
from articles.published.models import PublishedArticle
from articles.published.suggestions import related_suggestions_run
from newsroom.jobs.models import BackgroundJob

GOLDEN_DIR = Path(__file__).parent / "golden"
SEEDED_AT = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
REQUEST_ID = "golden-run"
SEARCHES = ["banjir", "Bandung", "pemilu", "election", "jalan tol", "kereta"]


@pytest.fixture
def demo_world(roles, settings, monkeypatch):
    """The demo content at `SEEDED_AT`, with renditions and suggestions made."""
    settings.SITE_URL = "https://news.example"
    settings.API_BASE_URL = "https://api.news.example"
    settings.MEDIA_PUBLIC_URL = "https://media.news.example"
    settings.ARTICLE_URL_TEMPLATE = "{site_url}/{section}/{slug}/"
    # Nothing is sent to a broker: the background work is run below, in order.
    monkeypatch.setattr(Task, "delay", lambda self, *args, **kwargs: None)
    monkeypatch.setattr(Task, "apply_async", lambda self, *args, **kwargs: None)
    numbers = itertools.count(1)
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=next(numbers)))
    with time_machine.travel(SEEDED_AT, tick=False):
        call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
        for photo_id in Photo.objects.order_by("pk").values_list("pk", flat=True):
            photo_renditions_run(photo_id=photo_id, worker="golden")
        suggestion_jobs = BackgroundJob.objects.filter(kind="related_suggestions")
        for article_id in suggestion_jobs.order_by("object_id").values_list("object_id", flat=True):
            related_suggestions_run(article_id=article_id, worker="golden")
        call_command("published_rebuild", stdout=open(os.devnull, "w"))  # noqa: SIM115
    monkeypatch.undo()


def _answer(response) -> dict:
    headers = dict(sorted(response.headers.items()))
    return {"status": response.status_code, "headers": headers, "body": response.content.decode()}


class Recorder:
    def __init__(self):
        # A fixed request id (kept by the middleware): error bodies and their ETags repeat.
        self.client = Client(HTTP_ACCEPT="application/json", HTTP_X_REQUEST_ID=REQUEST_ID)
        self.answers: dict[str, dict] = {}

    def get(self, path: str, **headers) -> dict:
        key = path + "".join(f" [{name}: {value}]" for name, value in sorted(headers.items()))
        if key not in self.answers:
            self.answers[key] = _answer(self.client.get(path, headers=headers))
        return self.answers[key]

    def pages(self, path: str) -> list[dict]:
        """Every item of a list, following `next` (an absolute URL) through its pages."""
        results = []
        while path:
            answer = self.get(path)
            if answer["status"] != 200:
                break
            data = json.loads(answer["body"])
            if isinstance(data, list):  # an unpaginated list (sections)
                return data
            results.extend(data["results"])
            following = urlsplit(data.get("next") or "")
            path = f"{following.path}?{following.query}" if following.query else following.path
        return results


def record_public_world() -> dict:
    recorder = Recorder()
    api = "/api/v1"
    articles = recorder.pages(f"{api}/articles/?page_size=5")
    for item in articles:
        detail = recorder.get(f"{api}/articles/{item['slug']}/")
        recorder.get(
            f"{api}/articles/{item['slug']}/", **{"If-None-Match": detail["headers"]["ETag"]}
        )
    for kind in ("sections", "authors", "tags"):
        for item in recorder.pages(f"{api}/{kind}/"):
            recorder.get(f"{api}/{kind}/{item['slug']}/")
            recorder.pages(f"{api}/{kind}/{item['slug']}/articles/?page_size=3")
            if kind in ("sections", "tags"):
                recorder.get(f"/feeds/{kind}/{item['slug']}/rss/")
                recorder.get(f"/feeds/{kind}/{item['slug']}/atom/")
    for words in SEARCHES:
        recorder.pages(f"{api}/search/?q={words.replace(' ', '+')}")
    for path in (
        "/feeds/latest/rss/",
        "/feeds/latest/atom/",
        "/sitemap.xml",
        "/news-sitemap.xml",
        "/api/schema/",
        f"{api}/articles/?status=draft",
        f"{api}/articles/?page_size=1000",
        f"{api}/articles/no-such-article/",
        f"{api}/no-such-endpoint/",
    ):
        recorder.get(path)
    for article in Article.objects.exclude(status="published").order_by("slug"):
        recorder.get(f"{api}/articles/{article.slug}/")
    stored = {
        row.slug: {
            "document": row.document,
            "teaser": row.teaser,
            "etag": row.etag,
            "published_at": row.published_at.isoformat(),
            "visible_from": row.visible_from.isoformat(),
        }
        for row in PublishedArticle.objects.order_by("slug")
    }
    return {"answers": recorder.answers, "stored_documents": stored}


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_the_public_world_of_the_demo_content_is_unchanged(demo_world):
    with time_machine.travel(SEEDED_AT, tick=False):
        record = record_public_world()
    path = GOLDEN_DIR / "public_world.json"
    recorded = json.dumps(record, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    if os.environ.get("GOLDEN_UPDATE"):
        GOLDEN_DIR.mkdir(exist_ok=True)
        path.write_text(recorded, encoding="utf-8")
    golden = json.loads(path.read_text(encoding="utf-8"))
    assert record["stored_documents"].keys() == golden["stored_documents"].keys()
    for slug, stored in record["stored_documents"].items():
        assert stored == golden["stored_documents"][slug], slug
    assert record["answers"].keys() == golden["answers"].keys()
    for key, answer in record["answers"].items():
        assert answer == golden["answers"][key], key
