"""Posts imported in batches (one transaction, a savepoint per post, the published world
built once per batch) write the same database as posts imported one at a time, and the
queries per post stay bounded."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from articles.photos.models import Photo
from articles.published.models import PublishedArticle
from articles.wordpress import posts
from tests.support.wordpress import PORTAL, SNAPSHOT, THEME, import_state, media_dir_for
from tests.support.wordpress import run_import as run_import_with

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


class _Undo(Exception):
    pass


def _import_then_undo(path: str, editor, *, media: str, batch_size: int, bulk: bool) -> dict:
    """The state an import leaves, then rolled back. The id sequences, which PostgreSQL
    does not roll back (and earlier tests moved on), start after the rows there are.
    `WordPressObject` rows are compared without their ids: the bulk path writes a batch's
    post rows at its end, after the rows of the attachments its posts brought in."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), SNAPSHOT):
            cursor.execute(sql)
    state = {}
    try:
        with time_machine.travel(NOW, tick=False), transaction.atomic():
            run_import_with(path, editor, media_dir=media, batch_size=batch_size, bulk=bulk)
            state = import_state()
            state["WordPressObject"] = sorted(row[1:] for row in state["WordPressObject"])
            # A photo's file gets a random name.
            state["Photo"] = [row[:1] + row[2:] for row in state["Photo"]]
            raise _Undo
    except _Undo:
        pass
    return state


@pytest.mark.parametrize("path", [THEME, PORTAL], ids=["theme", "portal"])
def test_batches_write_what_one_post_at_a_time_writes(editor, sent_tasks, tmp_path, settings, path):
    """Every post through `article_create` in its own transaction, against batches whose
    new posts are written in bulk (`articles_create_bulk`): the same rows."""
    media = media_dir_for(path, tmp_path / "uploads")
    settings.MEDIA_ROOT = tmp_path / "one-by-one"
    with mock.patch.object(posts, "articles_create_bulk", wraps=posts.articles_create_bulk) as spy:
        one_by_one = _import_then_undo(path, editor, media=media, batch_size=1, bulk=False)
    assert spy.call_count == 0
    settings.MEDIA_ROOT = tmp_path / "batched"
    with mock.patch.object(posts, "articles_create_bulk", wraps=posts.articles_create_bulk) as spy:
        batched = _import_then_undo(path, editor, media=media, batch_size=100, bulk=True)
    in_bulk = sum(len(call.kwargs["new"]) for call in spy.call_args_list)

    assert [f.attname for f in Photo._meta.concrete_fields][1] == "image"
    assert one_by_one["Article"]
    assert one_by_one["PublishedArticle"]
    # Most posts went through the bulk path: the rest have no slug of their own (one is
    # claimed from the headline at publish) or go to the trash.
    assert in_bulk >= len(one_by_one["Article"]) * 0.75, (in_bulk, len(one_by_one["Article"]))
    assert batched == one_by_one


def test_queries_per_post_stay_bounded(editor, sent_tasks, tmp_path):
    """Ten copies of the portal's published posts: the first import's queries per post
    (the new posts of a batch written together, `articles_create_bulk`) and the second's
    (all unchanged) stay under a bound that does not grow with the number of posts."""
    path = _copies(PORTAL, tmp_path / "copies.xml", copies=10)
    with CaptureQueriesContext(connection) as first:
        run_import_with(path, editor)
    created = Article.objects.count()
    assert created == 40
    assert PublishedArticle.objects.count() == 30
    with CaptureQueriesContext(connection) as second:
        run_import_with(path, editor)

    # 8.0 measured: a savepoint per post, the published world's related reading ranked per
    # published article, and a fixed number per batch (one by one it was 81.6).
    assert len(first) / created < 10
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
