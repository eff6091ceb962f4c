"""The rename step of `make bench` (bench/fanout.py) renames a tag, a section and an author
through the admin, and every document shows the new name when it reports."""

import importlib.util
import json
from pathlib import Path

import pytest

from articles.published.models import PublishedArticle
from newsroom.jobs.models import BackgroundJob
from tests.support.factories import ArticleFactory, AuthorFactory, SectionFactory, TopicTagFactory

BENCH = Path(__file__).resolve().parents[2] / "bench"
_spec = importlib.util.spec_from_file_location("bench_fanout", BENCH / "fanout.py")
fanout = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fanout)


@pytest.mark.django_db
def test_the_rename_step_reports_every_document_converged(roles, settings, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    settings.PUBLISHED_FANOUT_INLINE_LIMIT = 2
    settings.PUBLISHED_FANOUT_BATCH = 2
    tag, section, author = TopicTagFactory(), SectionFactory(), AuthorFactory()
    for _ in range(3):
        ArticleFactory(published=True, tags=[tag], section=section, authors=[author])

    rows = fanout.fanout_measure()

    assert [row["rename"] for row in rows] == ["tag", "section", "author"]
    for row in rows:
        assert (row["documents"], row["background"], row["stale"]) == (3, True, 0), rows
        assert row["answer_ms"] > 0 and row["converged_s"] > 0
        assert row["batch_full_ms"] >= 0 and row["batch_patch_ms"] >= 0
    # The batch timings leave every document showing the name the rename gave.
    for obj in (tag, section, author):
        obj.refresh_from_db()
        shown = PublishedArticle.objects.exclude(document__contains=json.dumps(obj.name)[1:-1])
        assert not shown.exists(), obj.name
    assert set(BackgroundJob.objects.values_list("status", flat=True)) == {"done"}
