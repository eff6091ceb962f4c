"""Status transitions and who may make them (`articles/services/`), slugs and `live()`."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from articles.models import Article
from articles.services import (
    TRANSITIONS,
    article_change_slug,
    article_claim_slug,
    article_generate_slug,
    article_publish,
    article_save,
    article_set_status,
    article_submit_for_review,
    article_unpublish,
    user_can_publish,
)
from tests.support.factories import ArticleFactory, SectionFactory, article_in_status

pytestmark = pytest.mark.django_db

Status = Article.Status
NOW = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)

# The workflow, written out independently of `TRANSITIONS` so a change to either is noticed.
WRITER_MOVES = {
    (Status.DRAFT, Status.IN_REVIEW),
    (Status.UNPUBLISHED, Status.IN_REVIEW),
    (Status.IN_REVIEW, Status.DRAFT),
    (Status.UNPUBLISHED, Status.DRAFT),
}
EDITOR_ONLY_MOVES = {
    (Status.DRAFT, Status.PUBLISHED),
    (Status.IN_REVIEW, Status.PUBLISHED),
    (Status.SCHEDULED, Status.PUBLISHED),
    (Status.UNPUBLISHED, Status.PUBLISHED),
    (Status.DRAFT, Status.SCHEDULED),
    (Status.IN_REVIEW, Status.SCHEDULED),
    (Status.UNPUBLISHED, Status.SCHEDULED),
    (Status.SCHEDULED, Status.SCHEDULED),  # a new publish time
    (Status.PUBLISHED, Status.PUBLISHED),  # an edit of a live article re-publishes it
    (Status.SCHEDULED, Status.DRAFT),
    (Status.PUBLISHED, Status.UNPUBLISHED),
    (Status.SCHEDULED, Status.UNPUBLISHED),
}
# Saving in the same status is an ordinary edit, open to both roles.
SAME_STATUS_EDITS = {(s, s) for s in (Status.DRAFT, Status.IN_REVIEW, Status.UNPUBLISHED)}


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


# A valid article in a status, as the workflow would have left it at NOW.
_article_in = partial(article_in_status, now=NOW)


def _row(article: Article) -> dict:
    return Article.objects.filter(pk=article.pk).values().get()


def test_the_transition_table_is_the_documented_workflow():
    assert {move for move, _ in TRANSITIONS.items()} == WRITER_MOVES | EDITOR_ONLY_MOVES
    assert {move for move, needs_publish in TRANSITIONS.items() if not needs_publish} == (
        WRITER_MOVES
    )


def test_roles_publish_permission(editor, writer, outsider):
    assert user_can_publish(editor)
    assert not user_can_publish(writer)
    assert not user_can_publish(outsider)
    assert not user_can_publish(None)


@pytest.mark.parametrize("role", ["writer", "editor"])
@pytest.mark.parametrize(("from_status", "to_status"), list(itertools.product(Status, Status)))
def test_transition_matrix(request, role, from_status, to_status):
    user = request.getfixturevalue(role)
    # The writer's own article, so only the workflow decides.
    article = _article_in(from_status, created_by=request.getfixturevalue("writer"))
    before = _row(article)
    publish_at = NOW + timedelta(hours=3) if to_status == Status.SCHEDULED else None
    move = (from_status, to_status)

    if move in WRITER_MOVES | SAME_STATUS_EDITS or (role == "editor" and move in EDITOR_ONLY_MOVES):
        article_set_status(article=article, status=to_status, user=user, publish_at=publish_at)
        article.refresh_from_db()
        assert article.status == to_status
        return

    if move in EDITOR_ONLY_MOVES:
        with pytest.raises(PermissionDenied):
            article_set_status(article=article, status=to_status, user=user, publish_at=publish_at)
    else:
        with pytest.raises(ValidationError) as excinfo:
            article_set_status(article=article, status=to_status, user=user, publish_at=publish_at)
        assert excinfo.value.code == "invalid_transition"
    assert _row(article) == before


@pytest.mark.parametrize(
    ("from_status", "action"),
    [
        (Status.DRAFT, "publish"),
        (Status.IN_REVIEW, "publish"),
        (Status.IN_REVIEW, "schedule"),
        (Status.PUBLISHED, "unpublish"),
        (Status.SCHEDULED, "unpublish"),
    ],
)
def test_a_writer_cannot_publish_schedule_or_unpublish(writer, from_status, action):
    slug = None if from_status in (Status.DRAFT, Status.IN_REVIEW) else "ada-slug"
    article = _article_in(from_status, slug=slug, created_by=writer)
    before = _row(article)

    with pytest.raises(PermissionDenied):
        if action == "unpublish":
            article_unpublish(article=article, user=writer)
        else:
            at = NOW + timedelta(days=1) if action == "schedule" else None
            article_publish(article=article, user=writer, publish_at=at)

    assert _row(article) == before


def test_an_outsider_cannot_publish(outsider):
    article = _article_in(Status.IN_REVIEW)

    with pytest.raises(PermissionDenied):
        article_publish(article=article, user=outsider)

    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW


def test_a_writer_submits_for_review_and_an_editor_publishes(writer, editor):
    article = _article_in(Status.DRAFT, created_by=writer)

    article_submit_for_review(article=article, user=writer)
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW

    article_publish(article=article, user=editor)
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    assert article.is_live


# --- Publish timestamps ---------------------------------------------------------------------


def test_publish_sets_the_publish_times_and_a_slug(editor):
    article = _article_in(Status.IN_REVIEW, slug=None, headline="Warga Dayeuhkolot mengungsi")

    article_publish(article=article, user=editor)

    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    assert article.published_at == article.first_published_at == NOW
    assert article.last_published_at == NOW
    assert article.slug == "warga-dayeuhkolot-mengungsi"
    assert Article.objects.live().get() == article


def test_publish_keeps_an_existing_slug(editor):
    article = _article_in(Status.DRAFT, slug="pilihan-redaksi", headline="Judul lain")

    article_publish(article=article, user=editor)

    article.refresh_from_db()
    assert article.slug == "pilihan-redaksi"


def test_publish_with_a_past_time_backdates(editor):
    earlier = NOW - timedelta(hours=5)
    article = _article_in(Status.DRAFT)

    article_publish(article=article, user=editor, publish_at=earlier)

    article.refresh_from_db()
    assert (article.status, article.published_at, article.last_published_at) == (
        Status.PUBLISHED,
        earlier,
        NOW,
    )


def test_republish_after_unpublish_keeps_the_first_publish_time(editor):
    article = _article_in(Status.DRAFT)
    article_publish(article=article, user=editor)

    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        article_unpublish(article=article, user=editor)
    article.refresh_from_db()
    assert article.status == Status.UNPUBLISHED
    assert not Article.objects.live().exists()

    later = NOW + timedelta(days=1)
    with time_machine.travel(later, tick=False):
        article_publish(article=article, user=editor)
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    assert article.published_at == article.first_published_at == NOW
    assert article.last_published_at == later


def test_publish_with_a_future_time_schedules(editor):
    due = NOW + timedelta(hours=6)
    article = _article_in(Status.IN_REVIEW, slug=None, headline="Jadwal kereta cepat")

    article_publish(article=article, user=editor, publish_at=due)

    article.refresh_from_db()
    assert article.status == Status.SCHEDULED
    assert article.published_at == due
    assert article.first_published_at is None
    assert article.last_published_at is None
    assert article.slug == "jadwal-kereta-cepat"
    assert not Article.objects.live().exists()
    with time_machine.travel(due + timedelta(seconds=1), tick=False):
        # Due but not yet flipped by the scheduler: still not live.
        assert not Article.objects.live().exists()


def test_rescheduling_moves_the_publish_time(editor):
    article = _article_in(Status.SCHEDULED)
    new_time = NOW + timedelta(days=3)

    article_set_status(article=article, status=Status.SCHEDULED, user=editor, publish_at=new_time)

    article.refresh_from_db()
    assert (article.status, article.published_at) == (Status.SCHEDULED, new_time)


def test_publishing_a_scheduled_article_now_uses_the_current_time(editor):
    article = _article_in(Status.SCHEDULED)

    article_publish(article=article, user=editor)

    article.refresh_from_db()
    assert article.published_at == article.first_published_at == NOW


def test_a_scheduled_article_back_to_draft_loses_its_publish_time(editor):
    article = _article_in(Status.SCHEDULED)

    article_set_status(article=article, status=Status.DRAFT, user=editor)

    article.refresh_from_db()
    assert (article.status, article.published_at) == (Status.DRAFT, None)


@pytest.mark.parametrize(
    "publish_at", [NOW - timedelta(minutes=1), NOW, None], ids=["past", "now", "none"]
)
def test_scheduling_without_a_future_time_is_refused(editor, publish_at):
    article = _article_in(Status.IN_REVIEW, slug=None)
    before = _row(article)

    with pytest.raises(ValidationError) as excinfo:
        article_set_status(
            article=article, status=Status.SCHEDULED, user=editor, publish_at=publish_at
        )

    assert "published_at" in excinfo.value.message_dict
    assert _row(article) == before


def test_publishing_an_invalid_article_saves_nothing(editor, settings):
    settings.ARTICLE_BODY_MAX_BYTES = 10
    article = _article_in(Status.IN_REVIEW, body="<p>Terlalu panjang untuk batas ini.</p>")
    before = _row(article)

    with pytest.raises(ValidationError) as excinfo:
        article_publish(article=article, user=editor)

    assert "body" in excinfo.value.message_dict
    assert _row(article) == before


# --- Slugs ----------------------------------------------------------------------------------


def test_generated_slug_from_an_indonesian_headline_is_ascii(editor):
    article = _article_in(
        Status.IN_REVIEW,
        slug=None,
        headline="Gubernur Jabar: “Kafé-kafé di Braga wajib tutup pukul 22.00” — warga protes",
    )

    article_publish(article=article, user=editor)

    article.refresh_from_db()
    assert article.slug == "gubernur-jabar-kafe-kafe-di-braga-wajib-tutup-pukul-22-00-warga-protes"


def test_generated_slug_is_at_most_80_characters_cut_at_a_word():
    headline = (
        "Presiden meresmikan Bendungan Jatigede yang berlokasi di Kabupaten Sumedang, "
        "Jawa Barat, pada Senin pagi bersama para menteri"
    )

    slug = article_generate_slug(headline=headline)

    assert (
        slug == "presiden-meresmikan-bendungan-jatigede-yang-berlokasi-di-kabupaten-sumedang-jawa"
    )
    assert len(slug) <= 80


def test_generated_slug_costs_one_query_without_a_clash(django_assert_num_queries):
    ArticleFactory(slug="lain")

    # 1. Is "banjir-bandung" taken?
    with django_assert_num_queries(1):
        slug = article_generate_slug(headline="Banjir Bandung")

    assert slug == "banjir-bandung"


def test_generated_slug_gets_a_number_on_a_clash(django_assert_num_queries):
    ArticleFactory(slug="banjir-bandung")
    ArticleFactory(slug="banjir-bandung-2")

    # 1-3. Are "banjir-bandung", "-2", "-3" taken?
    with django_assert_num_queries(3):
        slug = article_generate_slug(headline="Banjir Bandung")

    assert slug == "banjir-bandung-3"


def test_generated_slug_with_a_number_stays_within_80_characters():
    base = article_generate_slug(headline="kata " * 30)
    ArticleFactory(slug=base)

    slug = article_generate_slug(headline="kata " * 30)

    assert re.fullmatch(r"(kata-)+kata-2", slug)
    assert len(slug) <= 80


def test_generated_slug_ignores_the_article_itself():
    article = ArticleFactory(slug="banjir-bandung")

    assert article_generate_slug(headline="Banjir Bandung", exclude_pk=article.pk) == (
        "banjir-bandung"
    )


def test_publishing_two_articles_with_the_same_headline_gives_distinct_slugs(editor):
    first = _article_in(Status.IN_REVIEW, slug=None, headline="Harga beras naik")
    second = _article_in(Status.IN_REVIEW, slug=None, headline="Harga Beras Naik!")

    article_publish(article=first, user=editor)
    article_publish(article=second, user=editor)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.slug, second.slug) == ("harga-beras-naik", "harga-beras-naik-2")


@pytest.mark.parametrize("headline", ["", "???", "—"])
def test_a_headline_without_letters_gets_a_fallback_slug(headline):
    assert article_generate_slug(headline=headline) == "artikel"


def test_claiming_a_slug_writes_the_first_free_candidate(django_assert_num_queries):
    ArticleFactory(slug="banjir-bandung")
    article = ArticleFactory(headline="Banjir Bandung", slug=None)

    # 1. Is "banjir-bandung" used? 2. Is "-2"? 3-5. SAVEPOINT, UPDATE … WHERE slug IS NULL,
    # RELEASE SAVEPOINT.
    with django_assert_num_queries(5):
        assert article_claim_slug(article=article) == "banjir-bandung-2"

    article.refresh_from_db()
    assert article.slug == "banjir-bandung-2"


def test_claiming_keeps_a_slug_given_meanwhile():
    article = ArticleFactory(headline="Banjir Bandung", slug=None)
    Article.objects.filter(pk=article.pk).update(slug="dari-job")

    assert article_claim_slug(article=article) == "dari-job"


def test_a_headline_whose_candidates_are_all_taken_is_a_clear_refusal(editor, monkeypatch):
    monkeypatch.setattr("articles.services.slugs.SLUG_CLAIM_LIMIT", 3)
    for slug in ("banjir", "banjir-2", "banjir-3"):
        ArticleFactory(slug=slug)
    article = _article_in(Status.IN_REVIEW, slug=None, headline="Banjir")

    with pytest.raises(ValidationError) as refused:
        article_publish(article=article, user=editor)

    assert refused.value.error_dict["slug"][0].code == "slug_exhausted"
    assert "after 3 tries; type a slug" in refused.value.messages[0]
    article.refresh_from_db()
    assert (article.status, article.slug) == (Status.IN_REVIEW, None)


def test_an_editor_publishing_an_unsaved_article_is_told_to_save_it_first(editor):
    article = ArticleFactory.build(section=SectionFactory(), slug=None)

    with pytest.raises(ValueError, match="Save the article"):
        article_publish(article=article, user=editor)

    assert not Article.objects.exists()


def test_a_typed_slug_that_is_another_articles_old_slug_is_refused_on_save(editor):
    first = ArticleFactory(published=True, slug="banjir-lama")
    article_change_slug(article=first, slug="banjir-baru", user=editor)
    draft = ArticleFactory(slug="draf")

    with pytest.raises(ValidationError) as refused:
        article_save(
            article=draft, user=editor, expected_version=draft.version, data={"slug": "banjir-lama"}
        )

    assert refused.value.error_dict["slug"][0].code == "slug_taken"
    draft.refresh_from_db()
    assert draft.slug == "draf"


# --- live() ---------------------------------------------------------------------------------


def test_live_shows_only_published_articles_whose_time_has_come():
    live = _article_in(Status.PUBLISHED)
    _article_in(Status.DRAFT)
    _article_in(Status.IN_REVIEW)
    _article_in(Status.SCHEDULED)  # due tomorrow
    _article_in(Status.SCHEDULED, published_at=NOW - timedelta(minutes=1))  # due, not flipped
    _article_in(Status.UNPUBLISHED)
    _article_in(Status.PUBLISHED, published_at=NOW + timedelta(hours=1))  # embargoed

    assert list(Article.objects.live()) == [live]


def test_live_at_a_given_time():
    embargoed = _article_in(Status.PUBLISHED, published_at=NOW + timedelta(hours=1))

    assert not Article.objects.live().exists()
    assert list(Article.objects.live(now=NOW + timedelta(hours=1))) == [embargoed]
    assert not embargoed.is_live
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert embargoed.is_live
        assert list(Article.objects.live()) == [embargoed]


def test_live_articles_are_newest_first():
    older = _article_in(Status.PUBLISHED, published_at=NOW - timedelta(days=3))
    newer = _article_in(Status.PUBLISHED, published_at=NOW - timedelta(hours=1))

    assert list(Article.objects.live()) == [newer, older]


def test_writer_cannot_publish_a_new_unsaved_article(writer):
    article = ArticleFactory.build(section=SectionFactory(), slug=None)

    with pytest.raises(PermissionDenied):
        article_publish(article=article, user=writer)

    assert article.pk is None
    assert not Article.objects.exists()
