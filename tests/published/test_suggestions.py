"""Related-reading suggestions: ranking, storage on publish, the admin and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, RelatedLink, RelatedSuggestion, TaggedArticle
from articles.published import tasks
from articles.published.suggestions import (
    recency_factor,
    related_suggestions_rank,
    related_suggestions_refresh,
)
from articles.services import article_publish, article_unpublish
from newsroom.jobs.models import BackgroundJob
from tagging.models import TopicTag
from tests.support.factories import ArticleFactory, SectionFactory, TopicTagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch) -> list[int]:
    """Article ids whose suggestions task was sent, instead of sending it."""
    ids: list[int] = []
    monkeypatch.setattr(tasks.related_suggestions_run_task, "delay", ids.append)
    return ids


def _published(*, days_ago: float = 0.05, tags=(), **kwargs) -> Article:
    when = timezone.now() - timedelta(days=days_ago)
    return ArticleFactory(
        published=True,
        published_at=when,
        first_published_at=when,
        last_published_at=when,
        tags=list(tags),
        **kwargs,
    )


def test_recency_factor_halves_towards_one_half():
    now = timezone.now()
    assert recency_factor(published_at=now, now=now) == 1.0
    assert recency_factor(published_at=now - timedelta(days=30), now=now) == pytest.approx(0.75)
    assert recency_factor(published_at=now - timedelta(days=3000), now=now) == pytest.approx(0.5)


def test_a_shared_rare_tag_outweighs_a_shared_common_tag():
    rare, common = TopicTagFactory(name="Gempa Cianjur"), TopicTagFactory(name="Jakarta")
    source = _published(tags=[rare, common])
    shares_rare = _published(tags=[rare], days_ago=3)
    shares_common = _published(tags=[common])
    for _ in range(5):
        _published(tags=[common], days_ago=10)

    ranked = [a for a, _score in related_suggestions_rank(article=source, limit=2)]

    assert ranked == [shares_rare, shares_common]


def test_with_the_same_tags_the_newer_article_comes_first():
    tag = TopicTagFactory()
    source = _published(tags=[tag])
    old = _published(tags=[tag], days_ago=60)
    new = _published(tags=[tag], days_ago=1)

    ranked = related_suggestions_rank(article=source)

    assert [a for a, _ in ranked] == [new, old]
    assert ranked[0][1] > ranked[1][1]


def test_never_suggests_itself_or_an_article_readers_cannot_see():
    tag = TopicTagFactory()
    source = _published(tags=[tag])
    visible = _published(tags=[tag])
    ArticleFactory(tags=[tag])  # draft
    ArticleFactory(tags=[tag], status=Article.Status.IN_REVIEW)
    _published(tags=[tag], days_ago=-1)  # publish time still to come
    unpublished = _published(tags=[tag])
    Article.objects.filter(pk=unpublished.pk).update(status=Article.Status.UNPUBLISHED)

    ranked = related_suggestions_rank(article=source, limit=10)

    assert [a for a, _ in ranked] == [visible]


def test_an_article_without_tags_gets_no_suggestions(django_assert_num_queries):
    source = _published()
    _published(tags=[TopicTagFactory()])

    with django_assert_num_queries(1):
        assert related_suggestions_rank(article=source) == []


def test_equal_scores_are_broken_by_text_similarity_on_postgresql():
    tag = TopicTagFactory()
    when = timezone.now() - timedelta(hours=2)
    source = _published(tags=[tag], headline="Banjir bandang melanda Garut")
    similar = _published(tags=[tag], headline="Korban banjir bandang di Garut bertambah")
    other = _published(tags=[tag], headline="Harga cabai naik menjelang Lebaran")
    Article.objects.filter(pk__in=[similar.pk, other.pk]).update(published_at=when)

    ranked = [a for a, _ in related_suggestions_rank(article=source)]

    if connection.vendor == "postgresql":
        assert ranked == [similar, other]
    else:
        # No stored search vector: the tie goes to the newer row.
        assert ranked == [other, similar]


# --- Stored on publish ---------------------------------------------------------------------


def test_refresh_stores_the_ranking_and_replaces_it(settings):
    settings.RELATED_SUGGESTIONS_COUNT = 2
    tag = TopicTagFactory()
    source = _published(tags=[tag])
    first, second, third = (_published(tags=[tag], days_ago=d) for d in (1, 2, 3))

    assert related_suggestions_refresh(article_id=source.pk) == 2
    Article.objects.filter(pk=first.pk).update(status=Article.Status.UNPUBLISHED)
    assert related_suggestions_refresh(article_id=source.pk) == 2

    rows = RelatedSuggestion.objects.filter(article=source).order_by("position")
    assert [(r.target_id, r.position) for r in rows] == [(second.pk, 1), (third.pk, 2)]


def test_an_article_that_is_not_live_keeps_no_suggestions():
    tag = TopicTagFactory()
    source = _published(tags=[tag])
    _published(tags=[tag])
    related_suggestions_refresh(article_id=source.pk)
    Article.objects.filter(pk=source.pk).update(status=Article.Status.UNPUBLISHED)

    assert related_suggestions_refresh(article_id=source.pk) == 0
    assert not RelatedSuggestion.objects.filter(article=source).exists()
    assert related_suggestions_refresh(article_id=987654) == 0


def test_publishing_queues_the_suggestions_job_after_commit(
    editor, sent, django_capture_on_commit_callbacks
):
    tag = TopicTagFactory()
    other = _published(tags=[tag])
    article = ArticleFactory(tags=[tag])

    with django_capture_on_commit_callbacks(execute=True):
        article_publish(article=article, user=editor)

    # Its own, and those of the recent article it may suit (see the refresh tests below).
    assert sent == [article.pk, other.pk]
    job = BackgroundJob.objects.get(kind="related_suggestions", object_id=article.pk)
    assert job.status == BackgroundJob.Status.PENDING

    # The worker's side, called synchronously.
    assert tasks.related_suggestions_run_task(article.pk) == BackgroundJob.Status.DONE
    assert list(article.related_suggestions.values_list("target", flat=True)) == [other.pk]
    # Running it again (a re-delivery) changes nothing.
    assert tasks.related_suggestions_run_task(article.pk) is None
    assert article.related_suggestions.count() == 1


def test_unpublishing_queues_no_suggestions_job(editor, sent, django_capture_on_commit_callbacks):
    article = _published()

    with django_capture_on_commit_callbacks(execute=True):
        article_unpublish(article=article, user=editor)

    assert sent == []


# --- Refreshed when newer articles are published ------------------------------------------


def _run_jobs() -> None:
    """The worker's side: every pending suggestions job, called synchronously."""
    for job in BackgroundJob.objects.filter(status=BackgroundJob.Status.PENDING):
        tasks.related_suggestions_run_task(job.object_id)


def test_a_new_article_is_suggested_on_the_recent_articles_it_suits(
    editor, sent, django_capture_on_commit_callbacks
):
    tag = TopicTagFactory()
    first = _published(tags=[tag], days_ago=2)
    related_suggestions_refresh(article_id=first.pk)
    assert first.related_suggestions.count() == 0  # nothing to suggest yet
    newer = ArticleFactory(tags=[tag])

    with django_capture_on_commit_callbacks(execute=True):
        article_publish(article=newer, user=editor)
    _run_jobs()

    assert list(first.related_suggestions.values_list("target", flat=True)) == [newer.pk]
    assert list(newer.related_suggestions.values_list("target", flat=True)) == [first.pk]


def test_the_refresh_is_bounded_to_recent_articles_sharing_a_tag(
    editor, sent, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("articles.published.suggestions.REFRESH_MAX_ARTICLES", 2)
    tag, other_tag = TopicTagFactory(), TopicTagFactory()
    newest, newer, third = (_published(tags=[tag], days_ago=d) for d in (1, 2, 3))
    too_old = _published(tags=[tag], days_ago=31)
    unrelated = _published(tags=[other_tag])
    draft = ArticleFactory(tags=[tag])
    article = ArticleFactory(tags=[tag])

    with django_capture_on_commit_callbacks(execute=True):
        article_publish(article=article, user=editor)

    assert sent == [article.pk, newest.pk, newer.pk]
    assert not BackgroundJob.objects.filter(
        object_id__in=[third.pk, too_old.pk, unrelated.pk, draft.pk]
    ).exists()


def test_a_pending_refresh_is_not_asked_for_twice(editor, sent, django_capture_on_commit_callbacks):
    tag = TopicTagFactory()
    first = _published(tags=[tag], days_ago=1)
    one, two = ArticleFactory(tags=[tag]), ArticleFactory(tags=[tag])

    with django_capture_on_commit_callbacks(execute=True):
        article_publish(article=one, user=editor)
        article_publish(article=two, user=editor)

    # `first` once: its job was still pending when `two` was published (it sees both).
    assert sorted(sent) == sorted([one.pk, first.pk, two.pk])
    _run_jobs()
    assert set(first.related_suggestions.values_list("target", flat=True)) == {one.pk, two.pk}


def test_a_finished_refresh_is_asked_for_again(editor, sent, django_capture_on_commit_callbacks):
    tag = TopicTagFactory()
    first = _published(tags=[tag], days_ago=1)
    one, two = ArticleFactory(tags=[tag]), ArticleFactory(tags=[tag])
    with django_capture_on_commit_callbacks(execute=True):
        article_publish(article=one, user=editor)
    _run_jobs()
    sent.clear()

    with django_capture_on_commit_callbacks(execute=True):
        article_publish(article=two, user=editor)

    assert sorted(sent) == sorted([two.pk, first.pk, one.pk])


# --- API -----------------------------------------------------------------------------------


def _with_suggestions(*targets: Article) -> Article:
    source = _published()
    RelatedSuggestion.objects.bulk_create(
        RelatedSuggestion(article=source, target=t, score=1.0, position=n)
        for n, t in enumerate(targets, start=1)
    )
    return source


def test_api_offers_suggestions_when_editors_picked_few_links(api_client, settings):
    settings.RELATED_SUGGESTIONS_MIN_LINKS = 2
    picked, suggested = _published(), _published(headline="Banjir di Garut")
    source = _with_suggestions(picked, suggested)
    RelatedLink.objects.create(article=source, target_article=picked)

    body = api_client.get(f"/api/v1/articles/{source.slug}/").json()

    assert body["suggested_related"] == [
        {
            "headline": "Banjir di Garut",
            "slug": suggested.slug,
            "url": suggested.public_url,
            "published_at": body["suggested_related"][0]["published_at"],
        }
    ]
    assert [item["article"]["slug"] for item in body["related"]] == [picked.slug]


def test_api_offers_no_suggestions_when_editors_picked_enough(api_client, settings):
    settings.RELATED_SUGGESTIONS_MIN_LINKS = 1
    source = _with_suggestions(_published())
    RelatedLink.objects.create(article=source, url="https://example.org/x", title="Latar")

    body = api_client.get(f"/api/v1/articles/{source.slug}/").json()

    assert body["suggested_related"] == []


def test_api_never_shows_a_suggestion_unpublished_since(api_client, editor):
    later_unpublished, still_live = _published(), _published()
    source = _with_suggestions(later_unpublished, still_live)
    article_unpublish(article=later_unpublished, user=editor)

    body = api_client.get(f"/api/v1/articles/{source.slug}/").json()

    assert [s["slug"] for s in body["suggested_related"]] == [still_live.slug]
    assert later_unpublished.slug not in str(body)


# --- Admin ---------------------------------------------------------------------------------


def _suggestions_url(article: Article) -> str:
    return reverse("admin:articles_article_suggestions", args=[article.pk])


def test_change_form_offers_tags_from_the_text_and_stored_related_reading(editor_client):
    korupsi = TopicTagFactory(name="Korupsi")
    chosen = TopicTagFactory(name="Jawa Barat")
    TopicTagFactory(name="Gempa")
    target = _published(headline="KPK periksa pejabat")
    hidden = _published(headline="Tidak tampil")
    source = _with_suggestions(target, hidden)
    Article.objects.filter(pk=hidden.pk).update(status=Article.Status.DRAFT)
    Article.objects.filter(pk=source.pk).update(
        headline="Korupsinya terbongkar", body="<p>Di Jawa Barat, korupsi lagi.</p>"
    )
    source.tags.add(chosen)

    page = editor_client.get(reverse("admin:articles_article_change", args=[source.pk]))
    response = editor_client.get(_suggestions_url(source))

    # The page holds placeholders that the script fills from the JSON view after loading.
    html = page.content.decode()
    assert f'data-suggestions-url="{_suggestions_url(source)}" data-suggestions="tags"' in html
    assert 'data-suggestions="related"' in html
    assert "tagging/admin/inline_suggestions.js" in html
    assert response.status_code == 200
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert response.json() == {
        "tags": {
            "prefix": "tagged_items",
            "field": "tag",
            "choices": [{"id": korupsi.pk, "label": "Korupsi"}],  # "Jawa Barat" is chosen
            "note": "",
        },
        "related": {
            "prefix": "related_links",
            "field": "target_article",
            "choices": [{"id": target.pk, "label": "KPK periksa pejabat"}],  # not the draft
            "note": "",
        },
    }


def test_suggestions_cost_a_fixed_number_of_queries(editor_client, django_assert_num_queries):
    """Session, user, the article, permissions (2), the chosen tags, the tags, the aliases,
    the stored suggestions; however many tags and suggestions there are."""
    source = _with_suggestions(*(_published() for _ in range(3)))
    for number in range(5):
        TopicTagFactory(name=f"Topik {number}")
    url = _suggestions_url(source)
    editor_client.get(url)
    with django_assert_num_queries(9):
        assert len(editor_client.get(url).json()["related"]["choices"]) == 3


@pytest.mark.parametrize("object_id", ["abc", "0", "987654", "1%20OR%201=1", "%00"])
def test_suggestions_of_no_article_are_not_found(editor_client, object_id):
    url = reverse("admin:articles_article_suggestions", args=["X"]).replace("X", object_id)
    assert editor_client.get(url).status_code == 404


def test_suggestions_are_only_for_who_may_see_the_article(client, outsider, editor_client):
    article = _published()
    url = _suggestions_url(article)

    assert client.post(url).status_code == 405  # read-only
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(outsider)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("state", "text"),
    [
        ("draft", "None yet: they are computed when the article is published."),
        ("embargoed", "None yet: they are computed when the embargo ends."),
        ("computing", "Being computed; reload the page in a moment."),
        ("alone", "None: no other published article shares a tag with this one. Articles "
                  "sharing one that are published within 30 days of it are added when they are "
                  "published."),
        ("picked", "None left: the others are in the related reading or no longer published."),
    ],
)  # fmt: skip
def test_change_form_says_why_there_are_no_suggestions(editor_client, state, text):
    if state == "draft":
        article = ArticleFactory()
    else:
        article = _published(
            embargo_until=timezone.now() + timedelta(hours=1) if state == "embargoed" else None
        )
    if state == "picked":
        target = _published()
        RelatedSuggestion.objects.create(article=article, target=target, score=1, position=1)
        RelatedLink.objects.create(article=article, target_article=target)
    if state == "computing":
        BackgroundJob.objects.create(kind="related_suggestions", object_id=article.pk, key="k")

    related = editor_client.get(_suggestions_url(article)).json()["related"]

    assert related["choices"] == []
    assert related["note"] == text


# --- Benchmark-style check: 1,000 articles and 200 tags ------------------------------------


def test_best_match_among_a_thousand_articles_is_the_hand_computed_one(
    django_assert_num_queries,
):
    """Hand computation, with 1,000 live articles (N):

    tags of the source S: "Gempa Cianjur" (rare: S, B, D -> 3 articles), "Bencana"
    (S, B, C and 30 fillers -> 33), "Jawa Barat" (S, C and 300 fillers -> 302).
    idf = ln(1 + N/df): rare 5.812, Bencana 3.444, Jawa Barat 1.461.

    * B shares rare + Bencana, 5 days old: 9.256 * (0.5 + 0.5 * 2^(-5/30)) = 9.256 * 0.9454
      = 8.75
    * D shares rare, 1 hour old: 5.812 * 0.9999 = 5.81
    * C shares Bencana + Jawa Barat, 1 hour old: 4.905 * 0.9999 = 4.90
    * Bencana fillers (about 4 days old): 3.44 * 0.95 = 3.3; Jawa Barat fillers below 1.5.
    * A draft E carrying all three tags is never suggested.
    """
    now = timezone.now()
    section = SectionFactory()
    tags = TopicTag.objects.bulk_create(
        TopicTag(name=f"Topik {n}", slug=f"topik-{n}", name_key=f"topik {n}") for n in range(200)
    )
    rare, bencana, jabar, fillers = tags[0], tags[1], tags[2], tags[3:]

    def article(n: int, *, hours_ago: float, status=Article.Status.PUBLISHED) -> Article:
        when = now - timedelta(hours=hours_ago)
        return Article(
            headline=f"Berita nomor {n}",
            slug=f"berita-{n}",
            section=section,
            body="<p>Isi berita.</p>",
            status=status,
            published_at=when if status == Article.Status.PUBLISHED else None,
            first_published_at=when if status == Article.Status.PUBLISHED else None,
        )

    articles = Article.objects.bulk_create(article(n, hours_ago=n + 1) for n in range(1000))
    draft = article(1000, hours_ago=0, status=Article.Status.DRAFT)
    draft.save()
    source, b, d, c = articles[0], articles[10], articles[20], articles[30]
    Article.objects.filter(pk=b.pk).update(published_at=now - timedelta(days=5))
    Article.objects.filter(pk__in=[d.pk, c.pk]).update(published_at=now - timedelta(hours=1))

    taggings = set()
    for index, item in enumerate(articles[1:], start=1):
        for step in (1, 7, 13):  # three filler tags each (none on S), spread evenly
            taggings.add((item.pk, fillers[(index * step) % len(fillers)].pk))
    for item in (source, b, d, draft):
        taggings.add((item.pk, rare.pk))
    for item in (source, b, c, draft, *articles[100:130]):
        taggings.add((item.pk, bencana.pk))
    for item in (source, c, draft, *articles[200:500]):
        taggings.add((item.pk, jabar.pk))
    TaggedArticle.objects.bulk_create(
        TaggedArticle(content_object_id=a, tag_id=t) for a, t in sorted(taggings)
    )
    extra = 1 if connection.vendor == "postgresql" else 0

    # 1 tags with live counts, 2 live total, 3 candidate scores, 4 candidate articles
    # (+1 text similarity on PostgreSQL).
    with django_assert_num_queries(4 + extra):
        ranked = related_suggestions_rank(article=source, limit=5)

    assert [a.pk for a, _ in ranked[:3]] == [b.pk, d.pk, c.pk]
    assert [score for _, score in ranked[:3]] == pytest.approx([8.75, 5.81, 4.90], abs=0.01)
    assert source.pk not in [a.pk for a, _ in ranked]
    assert draft.pk not in [a.pk for a, _ in ranked]
