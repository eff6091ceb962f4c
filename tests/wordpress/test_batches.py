"""Posts imported in batches (one transaction, a savepoint per post, the published world
built once per batch) write the same database as posts imported one at a time, and the
queries per post stay bounded."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from articles.photos.models import Photo
from articles.published.models import PublishedArticle
from tests.support.wordpress import PORTAL, SNAPSHOT, THEME, import_state, media_dir_for
from tests.support.wordpress import run_import as run_import_with

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


class _Undo(Exception):
    pass


def _import_then_undo(path: str, editor, *, media: str, batch_size: int) -> dict:
    """The state an import leaves, then rolled back. The id sequences, which PostgreSQL
    does not roll back (and earlier tests moved on), start after the rows there are."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), SNAPSHOT):
            cursor.execute(sql)
    state = {}
    try:
        with time_machine.travel(NOW, tick=False), transaction.atomic():
            run_import_with(path, editor, media_dir=media, batch_size=batch_size)
            state = import_state()
            # A photo's file gets a random name.
            state["Photo"] = [row[:1] + row[2:] for row in state["Photo"]]
            raise _Undo
    except _Undo:
        pass
    return state


@pytest.mark.parametrize("path", [THEME, PORTAL], ids=["theme", "portal"])
def test_batches_write_what_one_post_at_a_time_writes(editor, sent_tasks, tmp_path, settings, path):
    media = media_dir_for(path, tmp_path / "uploads")
    settings.MEDIA_ROOT = tmp_path / "one-by-one"
    one_by_one = _import_then_undo(path, editor, media=media, batch_size=1)
    settings.MEDIA_ROOT = tmp_path / "batched"
    batched = _import_then_undo(path, editor, media=media, batch_size=100)

    assert [f.attname for f in Photo._meta.concrete_fields][1] == "image"
    assert one_by_one["Article"]
    assert one_by_one["PublishedArticle"]
    assert batched == one_by_one


def test_queries_per_post_stay_bounded(editor, sent_tasks, tmp_path):
    """Ten copies of the portal's published posts: the first import's queries per post
    (each post saved through `article_create` and published) and the second's (all
    unchanged) stay under a bound that does not grow with the number of posts."""
    path = _copies(PORTAL, tmp_path / "copies.xml", copies=10)
    with CaptureQueriesContext(connection) as first:
        run_import_with(path, editor)
    created = Article.objects.count()
    assert created == 40
    assert PublishedArticle.objects.count() == 30
    with CaptureQueriesContext(connection) as second:
        run_import_with(path, editor)

    assert len(first) / created < 80
    # A savepoint per post (SAVEPOINT, RELEASE) and a few queries per batch.
    assert len(second) / created < 3


def _copies(source: str, target, *, copies: int) -> str:
    """The export at `source` with its posts repeated `copies` times under new ids, slugs
    and addresses (attachments and pages left out)."""
    text = Path(source).read_text(encoding="utf-8")
    head, rest = text.split("<item>", 1)
    items = ["<item>" + part for part in rest.split("<item>")]
    tail = "</channel>" + items[-1].split("</channel>", 1)[1]
    items[-1] = items[-1].split("</channel>", 1)[0]
    posts = [item for item in items if "[CDATA[post]]" in item]
    out = [head]
    for copy in range(copies):
        for item in posts:
            out.append(_renumbered(item, copy))
    out.append(tail)
    target.write_text("".join(out), encoding="utf-8")
    return str(target)


def _renumbered(item: str, copy: int) -> str:
    item = re.sub(r"(<wp:post_id>)(\d+)", lambda m: f"{m[1]}{int(m[2]) + 1000 * copy}", item)
    item = re.sub(r"(<wp:post_name><!\[CDATA\[)([^\]]*)", rf"\1\2-{copy}", item)
    item = re.sub(r"(<link>[^<]*?)/(</link>)", rf"\1-{copy}/\2", item)
    item = re.sub(r"(<guid[^>]*>[^<]*?p=)(\d+)", lambda m: f"{m[1]}{int(m[2]) + 1000 * copy}", item)
    return re.sub(r"_thumbnail_id", "_no_thumbnail", item)
