"""seed_bench: benchmark content that is deterministic, realistic and never leaks drafts."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from articles.models import Article, Author, Byline, RelatedLink, Section
from articles.photos.models import Photo, PhotoRendition
from articles.published.build import articles_for_documents, published_documents
from articles.published.models import PublishedArticle
from tagging.models import TopicTag
from tests.support import SHARED_DIR

GEN_DATASET = SHARED_DIR / "bench" / "gen_dataset.py"

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_bench", no_progress=True, stdout=out, **options)
    return out.getvalue()


def test_counts_and_shape():
    seed(articles=60, seed=7)

    assert Article.objects.count() == 60
    assert Author.objects.count() == 200
    assert TopicTag.objects.count() == 2000
    assert Section.objects.count() == 10
    hidden = Article.objects.exclude(status=Article.Status.PUBLISHED).count()
    assert 2 <= hidden <= 12  # about 10 % drafts and scheduled
    assert set(Article.objects.exclude(status="published").values_list("status", flat=True)) <= {
        "draft",
        "scheduled",
    }
    for article in Article.objects.prefetch_related("bylines", "tagged_items", "related_links"):
        assert 1 <= len(article.bylines.all()) <= 2
        assert 3 <= len(article.tagged_items.all()) <= 6
        assert article.body.startswith("<p>") and article.body.endswith("</p>")
        assert 520 <= len(article.body.split()) <= 680  # ~600 words
        assert article.lead_photo_id is not None
    assert Photo.objects.count() == 60
    assert PhotoRendition.objects.count() == 120
    assert len({p.image.name for p in Photo.objects.all()}) == 1  # one shared stored file
    assert RelatedLink.objects.count() >= 2 * 60 - 4
    assert set(Article.objects.values_list("language", flat=True)) == {"id", "en"}
    if connection.vendor == "postgresql":  # the INSERT trigger fills it for bulk inserts too
        assert not Article.objects.filter(search_vector__isnull=True).exists()


def test_drafts_and_scheduled_never_public(client):
    seed(articles=60, seed=7)
    hidden = set(Article.objects.exclude(status="published").values_list("id", flat=True))
    assert hidden

    live_ids = set(Article.objects.live().values_list("id", flat=True))
    assert live_ids
    assert not live_ids & hidden
    response = client.get("/api/v1/articles/?page_size=100")
    assert response.status_code == 200
    listed = {item["slug"] for item in response.json()["results"]}
    assert listed == set(Article.objects.live().values_list("slug", flat=True))
    hidden_slugs = set(Article.objects.filter(id__in=hidden).values_list("slug", flat=True))
    assert not listed & hidden_slugs
    detail = client.get(f"/api/v1/articles/{sorted(hidden_slugs)[0]}/")
    assert detail.status_code == 404


def test_same_seed_same_content_other_seed_other_content():
    seed(articles=30, seed=11)
    first = list(Article.objects.order_by("id").values_list("slug", flat=True))
    bylines = list(Byline.objects.order_by("article", "position").values_list("author", flat=True))

    seed(articles=30, seed=11, flush=True)
    assert list(Article.objects.order_by("id").values_list("slug", flat=True)) == first
    assert (
        list(Byline.objects.order_by("article", "position").values_list("author", flat=True))
        == bylines
    )

    seed(articles=30, seed=12, flush=True)
    assert list(Article.objects.order_by("id").values_list("slug", flat=True)) != first


def test_refuses_without_flush_when_content_exists():
    seed(articles=10)
    slugs = set(Article.objects.values_list("slug", flat=True))

    with pytest.raises(CommandError, match="--flush"):
        seed(articles=10, seed=99)

    assert set(Article.objects.values_list("slug", flat=True)) == slugs


@pytest.mark.parametrize("bad", [0, -5])
def test_rejects_a_bad_article_count(bad):
    with pytest.raises(CommandError, match="at least 1"):
        seed(articles=bad)
    assert not Article.objects.exists()


def test_rejects_a_directory_without_the_dataset(tmp_path):
    with pytest.raises(CommandError, match=r"has no \w+\.jsonl"):
        seed(from_jsonl=str(tmp_path))
    assert not Article.objects.exists()


def test_from_jsonl_loads_gen_dataset_output(tmp_path, client):
    assert GEN_DATASET.is_file(), f"{GEN_DATASET} is missing"
    out = tmp_path / "data"
    subprocess.run(  # noqa: S603 - a fixed local script
        [sys.executable, str(GEN_DATASET), "--articles", "30", "--drafts", "3", "--out", str(out)],
        check=True,
        capture_output=True,
    )
    rows = [json.loads(line) for line in (out / "articles.jsonl").read_text().splitlines()]

    seed(from_jsonl=str(out))

    assert Article.objects.count() == 33
    assert Article.objects.live().count() == 30
    drafts = {r["slug"] for r in rows if r["status"] != "published"}
    assert set(Article.objects.filter(status="draft").values_list("slug", flat=True)) == drafts
    first = rows[0]
    article = Article.objects.get(slug=first["slug"])
    assert article.headline == first["headline"]
    assert article.body == "".join(f"<p>{p}</p>" for p in first["body"])
    assert sorted(article.bylines.values_list("author_id", flat=True)) == sorted(first["authors"])
    assert sorted(article.tagged_items.values_list("tag_id", flat=True)) == sorted(first["tags"])
    assert sorted(article.related_links.values_list("target_article_id", flat=True)) == sorted(
        first["related"]
    )
    assert article.lead_photo.credit == first["lead_image"]["credit"]
    listed = client.get("/api/v1/articles/?page_size=100").json()["results"]
    assert {item["slug"] for item in listed} == {r["slug"] for r in rows} - drafts


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the build workers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_build_workers_store_what_one_build_stores():
    """Two worker processes (committed data, own connections) build every live article, and
    each row holds exactly what a build in this process gives."""
    seed(articles=80, seed=5, workers=2)

    live = Article.objects.filter(status="published", deleted_at__isnull=True)
    stored = dict(PublishedArticle.objects.values_list("article_id", "document"))
    assert set(stored) == set(live.values_list("id", flat=True))
    articles = list(articles_for_documents(live))
    for article, (document, _teaser) in zip(articles, published_documents(articles), strict=True):
        assert stored[article.pk].encode() == document


def test_base_needs_postgresql_the_generator_and_a_multiple(tmp_path):
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="needs PostgreSQL"):
            seed(articles=20, base=10)
    else:
        with pytest.raises(CommandError, match="multiple of --base"):
            seed(articles=25, base=10)
        with pytest.raises(CommandError, match="needs PostgreSQL and the generator"):
            seed(from_jsonl=str(tmp_path), base=10)
    assert not Article.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the copies are made in SQL")
def test_base_copies_are_whole_articles(client):
    """`--base`: the copies are articles as valid as the generator's, each with its own
    slug, photo, renditions, bylines, tags and links, spread over sections and dates, with
    the search vector the trigger would compute, and published as publishing would."""
    seed(articles=30, base=10, seed=7)

    assert Article.objects.count() == 30
    assert Photo.objects.count() == 30
    assert PhotoRendition.objects.count() == 60
    assert len(set(Article.objects.values_list("slug", flat=True))) == 30
    assert len(set(Article.objects.values_list("lead_photo_id", flat=True))) == 30
    originals = {a.pk: a for a in Article.objects.filter(pk__lte=10)}
    for copy in Article.objects.filter(pk__gt=10).prefetch_related("bylines", "tagged_items"):
        original = originals[(copy.pk - 1) % 10 + 1]
        assert (copy.headline, copy.body, copy.status) == (
            original.headline,
            original.body,
            original.status,
        )
        assert len(copy.bylines.all()) == original.bylines.count()
        assert len(copy.tagged_items.all()) == original.tagged_items.count()
        if copy.status == "published":
            assert copy.published_at < original.published_at
    for link in RelatedLink.objects.filter(article__gt=10, target_article__isnull=False):
        assert (link.article_id - 1) // 10 == (link.target_article_id - 1) // 10  # same copy
    assert Section.objects.filter(articles__isnull=False).distinct().count() > 3
    newest = Article.objects.live().order_by("-published_at").first().published_at
    assert timezone.now() - newest < dt.timedelta(hours=2)  # the archive ends an hour ago
    assert not Article.objects.filter(updated_at__gt=timezone.now()).exists()

    vectors = dict(Article.objects.values_list("pk", "search_vector"))
    with connection.cursor() as cursor:  # what the trigger computes from the same text
        cursor.execute("UPDATE articles_article SET headline = headline")
    assert dict(Article.objects.values_list("pk", "search_vector")) == vectors

    live = set(Article.objects.live().values_list("pk", flat=True))
    assert set(PublishedArticle.objects.values_list("article_id", flat=True)) == live
    response = client.get("/api/v1/articles/?page_size=100")
    listed = {item["slug"] for item in response.json()["results"]}
    assert listed == set(Article.objects.live().values_list("slug", flat=True))
