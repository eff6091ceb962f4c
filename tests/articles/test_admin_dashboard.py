"""The admin's index as the editors' dashboard (`articles/admin/dashboard.py`,
`articles/services/dashboard.py`): what each role sees, the links, the charts and their
tables, the empty state and the fixed number of queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from articles.models import Article, Correction, Desk
from articles.photos.services import PHOTO_RENDITIONS
from articles.published.models import WebhookDelivery, WebhookSubscription
from newsroom.jobs.models import BackgroundJob
from tests.support.factories import ArticleFactory, PhotoFactory, SectionFactory, TopicTagFactory

pytestmark = pytest.mark.django_db

Status = Article.Status
DASHBOARD = "/admin/"


def _panel(html: str, panel_id: str) -> str:
    """The HTML of one panel (`<section id=...>`) of the dashboard."""
    match = re.search(rf'<section class="module" id="{panel_id}".*?</section>', html, re.S)
    assert match, f"no panel {panel_id}"
    return match.group(0)


def _count(html: str, panel_id: str) -> str:
    return re.search(r'<p class="count[^"]*">(\d+\+?)</p>', _panel(html, panel_id)).group(1)


def _now_today():
    """A moment of today (the site's time zone) that is already past."""
    return timezone.now() - timedelta(seconds=1)


@pytest.fixture
def newsroom_day(editor, writer, other_writer, section):
    """A day's work: drafts and reviews of two writers, a scheduled and a published article,
    a correction, a tag."""
    now = timezone.now()
    articles = {
        "my_draft": ArticleFactory(headline="Draf saya", section=section, created_by=writer),
        "other_draft": ArticleFactory(
            headline="Draf orang lain", section=section, created_by=other_writer
        ),
        "my_review": ArticleFactory(
            headline="Tinjau saya", status=Status.IN_REVIEW, section=section, created_by=writer
        ),
        "other_review": ArticleFactory(
            headline="Tinjau orang lain",
            status=Status.IN_REVIEW,
            section=section,
            created_by=other_writer,
        ),
        "soon": ArticleFactory(
            headline="Terjadwal besok pagi",
            status=Status.SCHEDULED,
            published_at=now + timedelta(hours=5),
            section=section,
        ),
        "later": ArticleFactory(
            headline="Terjadwal lusa",
            status=Status.SCHEDULED,
            published_at=now + timedelta(hours=30),
            section=section,
        ),
        "today": ArticleFactory(
            headline="Terbit hari ini", published=True, published_at=_now_today(), section=section
        ),
        "last_week": ArticleFactory(
            headline="Terbit minggu lalu",
            published=True,
            published_at=now - timedelta(days=3),
            section=section,
        ),
        "trashed": ArticleFactory(headline="Di tempat sampah", created_by=writer, deleted_at=now),
    }
    tag = TopicTagFactory(name="Banjir")
    for name in ("today", "last_week"):
        articles[name].tags.add(tag)
    Correction.objects.create(article=articles["last_week"], text="Nama kepala desa diperbaiki.")
    return articles


def test_the_admin_index_is_the_dashboard_with_the_app_list(editor_client, newsroom_day):
    html = editor_client.get(DASHBOARD).content.decode()

    assert 'id="dashboard"' in html
    assert 'id="content-main"' in html  # the admin's own list of models stays below
    assert "/admin/articles/article/" in html


def test_an_editor_sees_everyones_review_queue_and_the_days_articles(editor_client, newsroom_day):
    html = editor_client.get(DASHBOARD).content.decode()

    assert _count(html, "my-drafts") == "0"  # the editor wrote none
    assert _count(html, "in-review") == "2"
    assert "Waiting for review" in _panel(html, "in-review")
    assert "Tinjau orang lain" in _panel(html, "in-review")
    assert _count(html, "scheduled") == "1"
    assert "Terjadwal besok pagi" in _panel(html, "scheduled")
    assert "Terjadwal lusa" not in html
    assert _count(html, "published-today") == "1"
    assert "Terbit hari ini" in _panel(html, "published-today")
    assert _count(html, "corrections") == "1"
    assert "Nama kepala desa diperbaiki." in _panel(html, "corrections")


def test_a_writer_sees_only_their_own_drafts_and_reviews(writer_client, newsroom_day):
    html = writer_client.get(DASHBOARD).content.decode()

    drafts = _panel(html, "my-drafts")
    assert _count(html, "my-drafts") == "1"
    assert "Draf saya" in drafts
    assert "Draf orang lain" not in html
    assert "Di tempat sampah" not in html
    review = _panel(html, "in-review")
    assert "My articles in review" in review
    assert _count(html, "in-review") == "1"
    assert "Tinjau orang lain" not in html


def test_a_bylined_writer_finds_the_draft_in_their_drafts(writer, writer_client, section):
    from articles.models import Author

    author = Author.objects.create(name="Wira", slug="wira", user=writer)
    ArticleFactory(headline="Ditulis bersama", section=section, authors=[author])

    html = writer_client.get(DASHBOARD).content.decode()

    assert "Ditulis bersama" in _panel(html, "my-drafts")


def test_desk_scoping_hides_another_desks_articles(writer, writer_client, section):
    own_desk = Desk.objects.create(name="Daerah", slug="daerah")
    own_desk.members.add(writer)
    section.desk = own_desk
    section.save()
    other_section = SectionFactory(
        name="Olahraga", slug="olahraga", desk=Desk.objects.create(name="Olahraga", slug="olahraga")
    )
    ArticleFactory(
        headline="Berita desk sendiri", published=True, published_at=_now_today(), section=section
    )
    ArticleFactory(
        headline="Berita desk lain",
        published=True,
        published_at=_now_today(),
        section=other_section,
    )

    html = writer_client.get(DASHBOARD).content.decode()

    assert _count(html, "published-today") == "1"
    assert "Berita desk sendiri" in html
    assert "Berita desk lain" not in html
    assert "Olahraga" not in _panel(html, "published-per-day")


def test_a_user_without_article_rights_sees_no_articles(outsider, client, newsroom_day):
    client.force_login(outsider)

    html = client.get(DASHBOARD).content.decode()

    assert 'id="dashboard"' in html
    assert 'id="my-drafts"' not in html
    assert "Terbit hari ini" not in html
    assert 'id="failed-jobs"' not in html
    assert '<svg role="img"' not in html


def test_the_panel_links_open_the_filtered_article_list(editor_client, newsroom_day):
    html = editor_client.get(DASHBOARD).content.decode()

    today = _panel(html, "published-today")
    link = re.search(r'<h2 [^>]*><a href="([^"]+)"', today).group(1).replace("&amp;", "&")
    answer = editor_client.get(link)
    assert answer.status_code == 200  # not the admin's "?e=1" for a filter it refuses
    assert list(answer.context["cl"].result_list) == [newsroom_day["today"]]
    for panel_id, status in (
        ("my-drafts", "draft"),
        ("in-review", "in_review"),
        ("scheduled", "scheduled"),
    ):
        href = re.search(r'<h2 [^>]*><a href="([^"]+)"', _panel(html, panel_id)).group(1)
        assert href.endswith(f"?status__exact={status}")
        assert editor_client.get(href.replace("&amp;", "&")).status_code == 200
    article = newsroom_day["today"]
    assert f'href="/admin/articles/article/{article.pk}/change/"' in today


def test_the_charts_are_svg_with_a_table_of_the_same_numbers(editor_client, newsroom_day):
    html = editor_client.get(DASHBOARD).content.decode()

    per_day = _panel(html, "published-per-day")
    assert '<svg role="img"' in per_day
    assert per_day.count("<rect ") == 2  # today and three days ago
    rows = re.findall(r'<tr><th scope="row">.*?</tr>', per_day, re.S)
    assert len(rows) == 30
    assert rows[0].endswith("<td>1</td><td>1</td></tr>")  # today: Daerah 1, total 1
    assert rows[3].endswith("<td>1</td><td>1</td></tr>")
    assert sum(row.endswith("<td>0</td><td>0</td></tr>") for row in rows) == 28
    section_link = re.search(r'<th scope="col"><a href="([^"]+)">Daerah</a>', per_day).group(1)
    assert editor_client.get(section_link.replace("&amp;", "&")).status_code == 200

    tags = _panel(html, "top-tags")
    assert '<svg role="img"' in tags
    assert ">Banjir</text>" in tags
    tag_link = re.search(r'<th scope="row"><a href="([^"]+)">Banjir</a></th><td>2</td>', tags)
    assert tag_link
    answer = editor_client.get(tag_link.group(1).replace("&amp;", "&"))
    assert answer.status_code == 200
    assert set(answer.context["cl"].result_list) == {
        newsroom_day["today"],
        newsroom_day["last_week"],
    }


def test_an_empty_newsroom_has_an_empty_dashboard(editor_client):
    html = editor_client.get(DASHBOARD).content.decode()

    for panel_id in ("my-drafts", "in-review", "scheduled", "published-today", "corrections"):
        assert _count(html, panel_id) == "0"
    assert "No drafts of yours." in html
    assert "No articles published in the last 30 days." in html
    assert "No tagged articles published in the last 7 days." in html
    assert "Nothing has failed." in html


@pytest.fixture
def failures(db):
    photo = PhotoFactory()
    # Saving the photo asked for its renditions; they fail.
    rendition, _created = BackgroundJob.objects.update_or_create(
        kind=PHOTO_RENDITIONS,
        object_id=photo.pk,
        defaults={
            "status": BackgroundJob.Status.FAILED,
            "last_error": "cannot identify image file",
        },
    )
    BackgroundJob.objects.create(
        kind="related_suggestions",
        object_id=123456,
        status=BackgroundJob.Status.FAILED,
        last_error="boom",
    )
    BackgroundJob.objects.create(kind=PHOTO_RENDITIONS, object_id=photo.pk + 1000, status="done")
    subscription = WebhookSubscription.objects.create(
        name="Front end", url="https://fe.example.org/hook"
    )
    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        event_id="evt-1",
        event_type="article.published",
        payload={},
        status=WebhookDelivery.Status.FAILED,
        last_error="HTTP 500",
    )
    WebhookDelivery.objects.create(
        subscription=subscription,
        event_id="evt-2",
        event_type="article.published",
        payload={},
        status="delivered",
    )
    return {"photo": photo, "rendition": rendition, "delivery": delivery}


def test_a_superuser_sees_every_failed_job_and_webhook_with_links(client, failures):
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x"))

    html = client.get(DASHBOARD).content.decode()

    jobs = _panel(html, "failed-jobs")
    assert _count(html, "failed-jobs") == "2"
    assert 'href="/admin/jobs/backgroundjob/?status__exact=failed"' in jobs
    assert f'href="/admin/photos/photo/{failures["photo"].pk}/change/"' in jobs
    assert "cannot identify image file" in jobs
    hooks = _panel(html, "failed-webhooks")
    assert _count(html, "failed-webhooks") == "1"
    assert 'href="/admin/published/webhookdelivery/?status__exact=failed"' in hooks
    assert f'href="/admin/published/webhookdelivery/{failures["delivery"].pk}/change/"' in hooks
    assert "Front end" in hooks
    for href in re.findall(r'href="(/admin/(?:jobs|published|photos)/[^"]+)"', jobs + hooks):
        assert client.get(href).status_code == 200


def test_an_editor_sees_failed_renditions_but_not_other_jobs_or_webhooks(editor_client, failures):
    html = editor_client.get(DASHBOARD).content.decode()

    jobs = _panel(html, "failed-jobs")
    assert "Failed photo renditions" in jobs
    assert _count(html, "failed-jobs") == "1"
    assert f'href="/admin/photos/photo/{failures["photo"].pk}/change/"' in jobs
    assert "/admin/jobs/" not in html
    assert 'id="failed-webhooks"' not in html


def test_failures_are_counted_up_to_a_cap(client, settings, failures, monkeypatch):
    monkeypatch.setattr("articles.admin.dashboard.FAILED_COUNT_UP_TO", 2)
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
    BackgroundJob.objects.create(kind=PHOTO_RENDITIONS, object_id=77777, status="failed")

    html = client.get(DASHBOARD).content.decode()

    assert _count(html, "failed-jobs") == "2+"


def _archive(section, *, size: int, writer) -> None:
    """`size` articles of each kind the dashboard shows, each tagged, with a correction."""
    now = timezone.now()
    other = SectionFactory()
    tags = [TopicTagFactory() for _ in range(3)]
    for index in range(size):
        for article in (
            ArticleFactory(created_by=writer, section=section),
            ArticleFactory(status=Status.IN_REVIEW, created_by=writer, section=other),
            ArticleFactory(
                status=Status.SCHEDULED, published_at=now + timedelta(hours=2), section=section
            ),
            ArticleFactory(published=True, published_at=_now_today(), section=other),
            ArticleFactory(
                published=True, published_at=now - timedelta(days=index % 30), section=section
            ),
        ):
            article.tags.add(tags[index % 3])
            Correction.objects.create(article=article, text="Diperbaiki.")


# The editor's dashboard: session, user, the user's and the groups' permissions (2), the
# failed renditions (2), the article counts (1), the four article lists (4), the corrections
# (2), whether a desk scopes the user (1), the chart per day (1), the top tags (1).
EDITOR_QUERIES = 16
# A writer's is the editor's (desk-scoped or not: counted among their articles, or read from
# the counts per day).
WRITER_QUERIES = 16
# A superuser reads no permissions and is never desk-scoped, but also sees the failed webhook
# deliveries (2).
SUPERUSER_QUERIES = 15


@pytest.mark.parametrize("size", [1, 12])
def test_the_dashboard_costs_a_fixed_number_of_queries(
    size, client, editor, writer, section, failures, django_assert_num_queries
):
    _archive(section, size=size, writer=writer)
    superuser = User.objects.create_superuser("root", "root@example.org", "x")
    for user, queries in (
        (editor, EDITOR_QUERIES),
        (writer, WRITER_QUERIES),
        (superuser, SUPERUSER_QUERIES),
    ):
        client.force_login(user)
        with django_assert_num_queries(queries):
            answer = client.get(DASHBOARD)
        assert answer.status_code == 200
    # A writer in a desk: the chart and the tags counted among the articles they may see.
    Desk.objects.create(name="Daerah", slug="daerah").members.add(writer)
    client.force_login(writer)
    with django_assert_num_queries(WRITER_QUERIES):
        answer = client.get(DASHBOARD)
    assert answer.status_code == 200
