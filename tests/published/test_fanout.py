"""Fan-out: a rename shown by many published articles answers at once and a job rebuilds them
in batches (articles/published/fanout.py); few are rebuilt in the editor's transaction."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from articles.published import fanout
from articles.published.fanout import (
    FANOUT_LINKS,
    FANOUT_PHOTO,
    FANOUT_SECTION,
    FANOUT_TAG,
    FANOUT_TAG_MERGE,
    published_fanout_run,
)
from articles.published.models import PublishedArticle, WebhookDelivery, WebhookSubscription
from articles.services import article_save
from newsroom.jobs.models import BackgroundJob
from newsroom.jobs.services import jobs_sweep
from tagging.models import TopicTag
from tagging.services import tag_merge
from tests.support.admin import admin_url, error_messages, message_texts
from tests.support.factories import (
    ArticleFactory,
    AuthorFactory,
    PhotoFactory,
    RelatedLinkFactory,
    SectionFactory,
    TopicTagFactory,
)

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def small_batches(settings):
    settings.PUBLISHED_FANOUT_INLINE_LIMIT = LIMIT
    settings.PUBLISHED_FANOUT_BATCH = 2


def _tag_names(article: Article) -> list[str]:
    document = PublishedArticle.objects.get(article=article).document
    return [tag["name"] for tag in json.loads(document)["tags"]]


def _tagged(tag: TopicTag, count: int) -> list[Article]:
    return [ArticleFactory(published=True, tags=[tag]) for _ in range(count)]


def _rename(tag: TopicTag, name: str, capture) -> None:
    with capture(execute=True):
        tag.name = name
        tag.save()


def _job(kind: str, object_id: int) -> BackgroundJob:
    return BackgroundJob.objects.get(kind=kind, object_id=object_id)


def test_a_rename_shown_by_few_articles_is_rebuilt_in_the_transaction(
    django_assert_num_queries, django_capture_on_commit_callbacks, sent_tasks
):
    tag = TopicTagFactory(name="Banjir")
    articles = _tagged(tag, LIMIT)

    # The tag's UPDATE, the one query finding the articles, then one batch of the build
    # (with the read of what the rows counted per day; a rename moves no count).
    with django_assert_num_queries(20), django_capture_on_commit_callbacks(execute=True):
        tag.name = "Banjir Bandang"
        tag.save()

    assert all(_tag_names(article) == ["Banjir Bandang"] for article in articles)
    assert not BackgroundJob.objects.filter(kind=FANOUT_TAG).exists()
    assert sent_tasks == []


@pytest.mark.parametrize("count", [LIMIT + 1, 3 * LIMIT])
def test_a_rename_shown_by_many_articles_answers_at_once_and_records_a_job(
    count, django_assert_num_queries, django_capture_on_commit_callbacks, sent_tasks
):
    tag = TopicTagFactory(name="Banjir")
    articles = _tagged(tag, count)

    # The tag's UPDATE, the look and the count, and the job (its get_or_create in savepoints):
    # the same whatever the number of articles.
    with django_assert_num_queries(9):
        _rename(tag, "Banjir Bandang", django_capture_on_commit_callbacks)

    job = _job(FANOUT_TAG, tag.pk)
    assert (job.status, job.total, job.done, job.progress) == ("pending", count, 0, f"0 / {count}")
    assert sent_tasks == [("published_fanout_tag_task", (tag.pk,))]
    assert all(_tag_names(article) == ["Banjir"] for article in articles)

    published_fanout_run(kind=FANOUT_TAG, object_id=tag.pk)

    job.refresh_from_db()
    assert (job.status, job.done, job.cursor) == ("done", count, max(a.pk for a in articles))
    assert all(_tag_names(article) == ["Banjir Bandang"] for article in articles)


def test_a_worker_dying_midway_is_finished_by_the_next_without_loss_or_repeat(
    monkeypatch, django_capture_on_commit_callbacks, sent_tasks
):
    tag = TopicTagFactory(name="Banjir")
    articles = _tagged(tag, 7)
    _rename(tag, "Banjir Bandang", django_capture_on_commit_callbacks)
    built: list[int] = []
    patch = fanout.published_patch
    monkeypatch.setattr(
        fanout,
        "published_patch",
        lambda **kwargs: (built.extend(kwargs["article_ids"]), patch(**kwargs))[1],
    )

    # The first worker does one batch (2 articles) and dies: the job stays "running".
    published_fanout_run(kind=FANOUT_TAG, object_id=tag.pk, max_batches=1)
    job = _job(FANOUT_TAG, tag.pk)
    assert (job.status, job.done) == ("running", 2)
    shown = [_tag_names(article) for article in articles]
    assert shown == [["Banjir Bandang"]] * 2 + [["Banjir"]] * 5

    # The sweeper finds it stuck and sends it again; the next worker goes on from the cursor.
    sent_tasks.clear()
    later = timezone.now() + timedelta(hours=1)
    assert jobs_sweep(now=later)["jobs"] == 1
    assert sent_tasks == [("published_fanout_tag_task", (tag.pk,))]
    published_fanout_run(kind=FANOUT_TAG, object_id=tag.pk)

    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 7, 7)
    assert sorted(built) == sorted(a.pk for a in articles)  # each article built once
    assert all(_tag_names(article) == ["Banjir Bandang"] for article in articles)


def test_a_second_rename_while_the_job_runs_is_not_lost(
    monkeypatch, django_capture_on_commit_callbacks, sent_tasks
):
    tag = TopicTagFactory(name="Banjir")
    articles = _tagged(tag, 6)
    _rename(tag, "Banjir Bandang", django_capture_on_commit_callbacks)
    patch = fanout.published_patch
    batches = []

    def patch_and_rename_once(**kwargs):
        batches.append(list(kwargs["article_ids"]))
        if len(batches) == 2:
            # Another editor renames the tag again while the second batch is patched.
            again = TopicTag.objects.get(pk=tag.pk)
            again.name = "Banjir Rob"
            again.save()
        return patch(**kwargs)

    monkeypatch.setattr(fanout, "published_patch", patch_and_rename_once)
    sent_tasks.clear()
    with django_capture_on_commit_callbacks(execute=True):
        published_fanout_run(kind=FANOUT_TAG, object_id=tag.pk)

    # The first run stopped after the batch it was in; the new request starts from the first.
    job = _job(FANOUT_TAG, tag.pk)
    assert len(batches) == 2
    assert (job.status, job.cursor, job.done, job.total) == ("pending", 0, 0, 6)
    assert sent_tasks == [("published_fanout_tag_task", (tag.pk,))]

    published_fanout_run(kind=FANOUT_TAG, object_id=tag.pk)

    job.refresh_from_db()
    assert (job.status, job.done) == ("done", 6)
    assert all(_tag_names(article) == ["Banjir Rob"] for article in articles)


def test_a_rename_while_the_job_waits_sends_it_once_more_and_it_runs_once(
    django_capture_on_commit_callbacks, sent_tasks
):
    tag = TopicTagFactory(name="Banjir")
    articles = _tagged(tag, 5)
    _rename(tag, "Banjir Bandang", django_capture_on_commit_callbacks)
    _rename(tag, "Banjir Rob", django_capture_on_commit_callbacks)

    assert published_fanout_run(kind=FANOUT_TAG, object_id=tag.pk).status == "done"
    assert published_fanout_run(kind=FANOUT_TAG, object_id=tag.pk) is None  # second message
    assert _job(FANOUT_TAG, tag.pk).done == 5
    assert all(_tag_names(article) == ["Banjir Rob"] for article in articles)


def test_a_large_tag_merge_tells_subscribers_only_about_the_live_articles_it_changed(
    django_capture_on_commit_callbacks, sent_tasks
):
    WebhookSubscription.objects.create(name="front", url="https://front.example.org/hook")
    source = TopicTagFactory(name="Russia", slug="russia")
    target = TopicTagFactory(name="Rusia", slug="rusia")
    moved = _tagged(source, 4)
    ArticleFactory(tags=[source])  # a draft: readers never saw it
    untouched = _tagged(target, 2)

    with django_capture_on_commit_callbacks(execute=True):
        tag_merge(source=source, target=target)

    assert _job(FANOUT_TAG_MERGE, target.pk).total == 6
    assert not WebhookDelivery.objects.exists()
    published_fanout_run(kind=FANOUT_TAG_MERGE, object_id=target.pk)

    assert all(_tag_names(article) == ["Rusia"] for article in moved + untouched)
    told = WebhookDelivery.objects.values_list("event_type", "payload__data__id")
    assert sorted(told) == sorted(("article.updated", article.pk) for article in moved)


def test_a_large_section_rename_rebuilds_its_articles_and_those_linking_to_them(
    django_capture_on_commit_callbacks, sent_tasks
):
    section = SectionFactory(name="Daerah", slug="daerah")
    articles = [ArticleFactory(published=True, section=section) for _ in range(5)]
    linking = ArticleFactory(published=True)
    RelatedLinkFactory(article=linking, target_article=articles[0], url="", title="")

    with django_capture_on_commit_callbacks(execute=True):
        section.slug = "jabar"
        section.save()
    published_fanout_run(kind=FANOUT_SECTION, object_id=section.pk)

    for article in articles:
        document = json.loads(PublishedArticle.objects.get(article=article).document)
        assert "/jabar/" in document["url"]
    document = json.loads(PublishedArticle.objects.get(article=linking).document)
    assert "/jabar/" in json.dumps(document["related"])


def test_a_photo_shown_by_many_articles_is_rebuilt_in_the_background(
    django_capture_on_commit_callbacks, sent_tasks
):
    photo = PhotoFactory(caption="Warga mengungsi")
    articles = [ArticleFactory(published=True, lead_photo=photo) for _ in range(4)]

    with django_capture_on_commit_callbacks(execute=True):
        photo.caption = "Warga mengungsi ke masjid"
        photo.save()
    assert _job(FANOUT_PHOTO, photo.pk).total == 4
    published_fanout_run(kind=FANOUT_PHOTO, object_id=photo.pk)

    for article in articles:
        document = json.loads(PublishedArticle.objects.get(article=article).document)
        assert document["lead_photo"]["caption"] == "Warga mengungsi ke masjid"


def _linked_by(target: Article, count: int) -> list[Article]:
    linking = [ArticleFactory(published=True) for _ in range(count)]
    for article in linking:
        RelatedLinkFactory(article=article, target_article=target, url="", title="")
    return linking


def _related_titles(article: Article) -> list[str]:
    document = json.loads(PublishedArticle.objects.get(article=article).document)
    return [block["title"] for block in document["related"]]


@pytest.mark.parametrize(("count", "background"), [(LIMIT, False), (LIMIT + 2, True)])
def test_a_linked_headline_shown_by_many_articles_is_rebuilt_in_the_background(
    count, background, editor, django_capture_on_commit_callbacks, sent_tasks
):
    target = ArticleFactory(published=True, headline="Harga beras naik")
    linking = _linked_by(target, count)

    with django_capture_on_commit_callbacks(execute=True):
        article_save(
            article=target,
            user=editor,
            expected_version=target.version,
            data={"headline": "Harga beras turun"},
        )

    jobs = BackgroundJob.objects.filter(kind=FANOUT_LINKS, object_id=target.pk)
    assert jobs.exists() == background
    if background:
        assert (jobs.get().total, sent_tasks) == (
            count,
            [("published_fanout_links_task", (target.pk,))],
        )
        assert all(_related_titles(a) == ["Harga beras naik"] for a in linking)
        published_fanout_run(kind=FANOUT_LINKS, object_id=target.pk)
    assert all(_related_titles(a) == ["Harga beras turun"] for a in linking)


# --- The admin -----------------------------------------------------------------------------

ALIASES = {
    "aliases-TOTAL_FORMS": "0",
    "aliases-INITIAL_FORMS": "0",
    "aliases-MIN_NUM_FORMS": "0",
    "aliases-MAX_NUM_FORMS": "1000",
}


def test_the_editor_is_told_how_many_articles_are_updated_and_sees_the_progress(
    editor_client, admin_client, sent_tasks
):
    tag = TopicTagFactory(name="Banjir", slug="banjir")
    _tagged(tag, 5)

    response = editor_client.post(
        admin_url(TopicTag, "change", tag.pk),
        {**ALIASES, "name": "Banjir Bandang", "slug": "banjir", "kind": "topic"},
        follow=True,
    )

    assert response.status_code == 200
    assert any(
        "5 articles showing it are being updated in the background." in text
        for text in message_texts(response)
    )
    jobs = admin_client.get(admin_url(BackgroundJob, "changelist"), {"object_id": tag.pk})
    assert "0 / 5" in jobs.content.decode()


def test_a_small_rename_in_the_admin_says_nothing_of_background_work(editor_client):
    author = AuthorFactory(name="Dewi", slug="dewi")
    ArticleFactory(published=True, authors=[author])

    response = editor_client.post(
        admin_url(author, "change", author.pk),
        {"name": "Dewi Lestari", "slug": "dewi"},
        follow=True,
    )

    assert response.status_code == 200
    assert not any("background" in text for text in message_texts(response))
    assert not BackgroundJob.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "slug": "banjir", "kind": "topic"}, "name"),
        ({"name": "x" * 500, "slug": "banjir", "kind": "topic"}, "name"),
        ({"name": "Banjir Bandang", "slug": "bad slug!", "kind": "topic"}, "slug"),
    ],
)
def test_a_bad_rename_in_the_admin_is_a_form_error_and_records_no_job(editor_client, data, field):
    tag = TopicTagFactory(name="Banjir", slug="banjir")
    _tagged(tag, 5)

    response = editor_client.post(admin_url(TopicTag, "change", tag.pk), {**ALIASES, **data})

    assert error_messages(response)
    assert field in response.context["adminform"].form.errors
    assert not BackgroundJob.objects.exists()
    tag.refresh_from_db()
    assert tag.name == "Banjir"


def test_a_bad_section_or_author_rename_is_a_form_error(editor_client):
    section = SectionFactory(name="Daerah", slug="daerah")
    author = AuthorFactory(name="Dewi", slug="dewi")
    for _ in range(5):
        ArticleFactory(published=True, section=section, authors=[author])

    for obj, data in (
        (section, {"name": "", "slug": "daerah", "position": "0"}),
        (author, {"name": "Dewi", "slug": ""}),
    ):
        response = editor_client.post(admin_url(obj, "change", obj.pk), data)
        assert error_messages(response)
    assert not BackgroundJob.objects.exists()


def test_a_batch_done_by_two_workers_at_once_is_counted_once(
    django_capture_on_commit_callbacks, sent_tasks
):
    from newsroom.jobs.services import job_advance, job_claim

    tag = TopicTagFactory(name="Banjir")
    articles = _tagged(tag, 5)
    _rename(tag, "Banjir Bandang", django_capture_on_commit_callbacks)
    first = job_claim(kind=FANOUT_TAG, object_id=tag.pk)
    second = job_claim(kind=FANOUT_TAG, object_id=tag.pk)  # the message delivered again
    last = articles[1].pk

    assert job_advance(job=first, key=first.key, start=0, cursor=last, done=2)
    assert not job_advance(job=second, key=second.key, start=0, cursor=last, done=2)
    assert (_job(FANOUT_TAG, tag.pk).cursor, _job(FANOUT_TAG, tag.pk).done) == (last, 2)
