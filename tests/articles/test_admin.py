"""The editors' admin: every page renders, roles hold on every path, bad input is a form error."""

from __future__ import annotations

import io
import random
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from PIL import Image

from articles.models import Article, Author, Byline, RelatedLink, Section, TaggedArticle
from articles.photos.models import Photo
from tagging.models import TopicTag
from tests.support import FIXTURE_PHOTOS
from tests.support.admin import (
    action_choices,
    admin_url,
    article_form_data,
    error_messages,
    management,
    message_texts,
)
from tests.support.factories import (
    ArticleFactory,
    ArticlePhotoFactory,
    AuthorFactory,
    PhotoFactory,
    RelatedLinkFactory,
    SectionFactory,
    TopicTagFactory,
    image_bytes,
    image_upload,
)
from tests.support.images import png_claiming

Status = Article.Status
XSS = '"><script>alert(1)</script>'
XSS_ESCAPED = "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"


# --- Helpers ------------------------------------------------------------------------------


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def noisy_jpeg(*, width: int = 300, height: int = 200) -> bytes:
    rng = random.Random(42)
    image = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def photo_form_data(upload, **fields) -> dict:
    return {
        "image": upload,
        "caption": "Warga melintasi jembatan baru di Bandung.",
        "credit": "Foto: Ani Lestari/Antara",
        "copyright": "",
        "source_url": "",
        "alt_text": "Jembatan beton di atas sungai",
        "focal_point_x": "0.5",
        "focal_point_y": "0.5",
        **fields,
    }


# --- Every page renders -------------------------------------------------------------------


def test_every_admin_page_renders_for_an_editor(editor, editor_client, rf):
    tag = TopicTagFactory()
    photo = PhotoFactory()
    author = AuthorFactory(photo=image_upload("author.jpg"))
    article = ArticleFactory(lead_photo=photo, tags=[tag], authors=[author])
    ArticlePhotoFactory(article=article, photo=photo)
    RelatedLinkFactory(article=article)
    RelatedLinkFactory(article=article, target_article=ArticleFactory(published=True), url="")
    content = {
        Article: article,
        Photo: photo,
        Author: author,
        Section: article.section,
        TopicTag: tag,
    }
    registered = {
        model: model_admin
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in ("articles", "photos", "tagging")
    }
    assert set(content) <= set(registered)
    request = rf.get("/")
    request.user = editor

    checked = []
    for model, model_admin in registered.items():
        if not model_admin.has_view_permission(request):
            # Operator pages (background jobs, webhooks) are not the editors' business.
            assert model not in content
            continue
        urls = [admin_url(model, "changelist")]
        if model_admin.has_add_permission(request):
            urls.append(admin_url(model, "add"))
        obj = content.get(model) or model._default_manager.first()
        if obj is not None:
            urls.append(admin_url(model, "change", obj.pk))
        for url in urls:
            response = editor_client.get(url)
            assert response.status_code == 200, url
            checked.append(url)
    # Each content model: changelist, add page and change page.
    assert {admin_url(model, "change", obj.pk) for model, obj in content.items()} <= set(checked)
    assert {admin_url(model, "add") for model in content} <= set(checked)


def test_every_article_filter_choice_renders(editor_client):
    tag = TopicTagFactory()
    ArticleFactory(headline="Jembatan baru dibuka", published=True, tags=[tag])
    ArticleFactory(headline="Harga beras naik", language="en")
    changelist = admin_url(Article, "changelist")
    cl = editor_client.get(changelist).context["cl"]
    assert [spec.title for spec in cl.filter_specs] == [
        "trash",
        "status",
        "section",
        "authors",
        "tags",
        "language",
        "published at",
        "created at",
    ]
    for spec in cl.filter_specs:
        for choice in spec.choices(cl):
            response = editor_client.get(changelist + choice["query_string"])
            # An invalid filter would redirect to "?e=1" instead.
            assert response.status_code == 200, choice["query_string"]


def test_article_changelist_filters_by_section_author_and_tag(editor_client):
    tag = TopicTagFactory(name="Banjir")
    author = AuthorFactory(name="Siti Rahma")
    wanted = ArticleFactory(headline="Banjir di Bandung", tags=[tag], authors=[author])
    ArticleFactory(headline="Harga beras naik")
    changelist = admin_url(Article, "changelist")
    for query in (
        f"tags__id__exact={tag.pk}",
        f"authors__id__exact={author.pk}",
        f"section__id__exact={wanted.section_id}",
        "q=Bandung",
    ):
        response = editor_client.get(f"{changelist}?{query}")
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [wanted], query


def test_article_changelist_shows_badge_bylines_and_thumbnail(editor_client):
    article = ArticleFactory(
        published=True,
        lead_photo=PhotoFactory(alt_text="Jembatan"),
        authors=[AuthorFactory(name="Siti Rahma"), AuthorFactory(name="Budi Santoso")],
    )
    response = editor_client.get(admin_url(Article, "changelist"))
    html = response.content.decode()
    assert "Published</span>" in html
    assert "Siti Rahma, Budi Santoso" in html
    assert f'src="{article.lead_photo.image.url}"' in html


def test_article_changelist_queries_do_not_grow_with_rows(editor_client):
    """Bylines, section and lead photo come with the page, not with each row."""

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = editor_client.get(admin_url(Article, "changelist"))
        assert response.status_code == 200
        return len(queries)

    ArticleFactory(lead_photo=PhotoFactory(), authors=[AuthorFactory(), AuthorFactory()])
    editor_client.get(admin_url(Article, "changelist"))  # warm the session and permissions
    one_row = count_queries()
    section = SectionFactory()
    for _ in range(4):
        ArticleFactory(
            section=section,
            lead_photo=PhotoFactory(),
            authors=[AuthorFactory(), AuthorFactory()],
            tags=[TopicTagFactory()],
        )
    assert count_queries() == one_row


def test_api_link_points_to_the_api_representation(editor_client, monkeypatch):
    article = ArticleFactory(published=True)
    model_admin = admin.site._registry[Article]

    def fake_reverse(name, kwargs):
        assert name == "api:article-detail"
        return f"/api/v1/articles/{kwargs['slug']}/"

    monkeypatch.setattr("articles.admin.columns.reverse", fake_reverse)
    url = f"/api/v1/articles/{article.slug}/"
    assert model_admin.api_link(article) == f'<a href="{url}">{url}</a>'
    response = editor_client.get(admin_url(Article, "change", article.pk))
    assert f'<a href="{url}">' in response.content.decode()


def test_api_link_is_empty_until_the_api_exists(monkeypatch):
    def missing(name, kwargs):
        raise NoReverseMatch(name)

    monkeypatch.setattr("articles.admin.columns.reverse", missing)
    article = ArticleFactory.build(slug="ada")
    assert admin.site._registry[Article].api_link(article) == "-"


# --- Writers cannot publish ---------------------------------------------------------------


def test_writer_is_offered_only_draft_and_review(writer_client, section):
    response = writer_client.get(admin_url(Article, "add"))
    form = response.context["adminform"].form
    assert [value for value, _label in form.fields["status"].choices] == [
        Status.DRAFT,
        Status.IN_REVIEW,
    ]
    assert "published_at" not in form.fields


def test_writer_cannot_publish_a_new_article_by_form(writer_client, section):
    author = AuthorFactory()
    data = article_form_data(section=section, new_authors=[author], status=Status.PUBLISHED)
    response = writer_client.post(admin_url(Article, "add"), data)
    assert "Select a valid choice. published is not one of the available choices." in (
        error_messages(response)
    )
    assert Article.objects.count() == 0


def test_writer_cannot_publish_an_existing_draft_by_form(writer, writer_client):
    article = ArticleFactory(headline="Draf awal", created_by=writer)
    data = article_form_data(
        article,
        headline="Changed",
        status=Status.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=1),
    )
    response = writer_client.post(admin_url(Article, "change", article.pk), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["status"]
    article.refresh_from_db()
    assert (article.headline, article.status, article.published_at) == (
        "Draf awal",
        Status.DRAFT,
        None,
    )


@pytest.mark.parametrize("forged", [Status.SCHEDULED, Status.UNPUBLISHED])
def test_writer_cannot_schedule_or_unpublish_by_form(writer, writer_client, forged):
    article = ArticleFactory(created_by=writer)
    data = article_form_data(article, status=forged)
    response = writer_client.post(admin_url(Article, "change", article.pk), data)
    assert response.context["adminform"].form.errors["status"]
    article.refresh_from_db()
    assert article.status == Status.DRAFT


def test_writer_submits_for_review_by_form_and_cannot_set_publish_time(writer, writer_client):
    article = ArticleFactory(created_by=writer)
    data = article_form_data(
        article, status=Status.IN_REVIEW, published_at=timezone.now() + timedelta(days=1)
    )
    response = writer_client.post(admin_url(Article, "change", article.pk), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.status, article.published_at) == (Status.IN_REVIEW, None)


def test_writer_creates_a_draft_with_bylines_in_order(writer, writer_client, section):
    first, second = AuthorFactory(name="Siti"), AuthorFactory(name="Budi")
    response = writer_client.post(
        admin_url(Article, "add"), article_form_data(section=section, new_authors=[first, second])
    )
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.status == Status.DRAFT
    assert article.created_by == writer
    assert [b.author for b in article.bylines.all()] == [first, second]


def test_writer_is_not_offered_the_publish_actions(writer_client):
    ArticleFactory()
    response = writer_client.get(admin_url(Article, "changelist"))
    assert action_choices(response) == {"", "submit_for_review_selected"}


@pytest.mark.parametrize("action", ["publish_selected", "unpublish_selected", "delete_selected"])
def test_writer_forged_action_post_is_not_applied(writer_client, action):
    draft = ArticleFactory()
    live = ArticleFactory(published=True)
    response = writer_client.post(
        admin_url(Article, "changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [draft.pk, live.pk], "index": "0"},
    )
    assert response.status_code == 302
    assert "No action selected." in message_texts(response)
    draft.refresh_from_db()
    live.refresh_from_db()
    assert (draft.status, live.status) == (Status.DRAFT, Status.PUBLISHED)


def test_writer_bulk_edit_cannot_change_status(writer_client):
    """The list has no editable columns; a forged bulk-edit POST changes nothing."""
    article = ArticleFactory()
    data = {
        **management("form", total=1, initial=1),
        "form-0-id": str(article.pk),
        "form-0-status": Status.PUBLISHED,
        "form-0-published_at": "2024-01-01 10:00:00",
        "_save": "Save",
    }
    response = writer_client.post(admin_url(Article, "changelist"), data)
    assert response.status_code in (200, 302)
    article.refresh_from_db()
    assert (article.status, article.published_at) == (Status.DRAFT, None)
    assert admin.site._registry[Article].list_editable == ()


def test_writer_submit_for_review_action(writer, writer_client):
    draft = ArticleFactory(created_by=writer)
    live = ArticleFactory(published=True, created_by=writer)
    response = writer_client.post(
        admin_url(Article, "changelist"),
        {"action": "submit_for_review_selected", ACTION_CHECKBOX_NAME: [draft.pk, live.pk]},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    live.refresh_from_db()
    assert (draft.status, live.status) == (Status.IN_REVIEW, Status.PUBLISHED)
    texts = message_texts(response)
    assert "1 article submitted for review." in texts
    assert f"{live.headline}: An article cannot go from Published to In review." in texts


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.SCHEDULED])
def test_writer_cannot_change_a_public_article(writer_client, status):
    article = ArticleFactory(published=True, headline="Sudah terbit")
    if status == Status.SCHEDULED:
        Article.objects.filter(pk=article.pk).update(
            status=status, published_at=timezone.now() + timedelta(days=1)
        )
    article.refresh_from_db()
    url = admin_url(Article, "change", article.pk)

    response = writer_client.get(url)
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in response.content.decode()

    data = article_form_data(article, headline="Diubah penulis", status=Status.DRAFT)
    assert writer_client.post(url, data).status_code == 403
    article.refresh_from_db()
    assert (article.headline, article.status) == ("Sudah terbit", status)


def test_cross_site_publish_post_without_csrf_token_is_refused(editor):
    article = ArticleFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(
        admin_url(Article, "changelist"),
        {"action": "publish_selected", ACTION_CHECKBOX_NAME: [article.pk]},
    )
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.status == Status.DRAFT


# --- Editors publish ----------------------------------------------------------------------


def test_editor_publishes_by_form_and_a_slug_is_generated(editor_client):
    article = ArticleFactory(headline="Gubernur resmikan jembatan baru", slug=None)
    before = timezone.now()
    data = article_form_data(article, status=Status.PUBLISHED)
    response = editor_client.post(admin_url(Article, "change", article.pk), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    assert article.slug == "gubernur-resmikan-jembatan-baru"
    assert before <= article.published_at <= timezone.now()
    assert article.first_published_at == article.published_at
    assert article.last_published_at >= before
    assert article.is_live


def test_editor_creates_and_publishes_in_one_form(editor, editor_client, section):
    author = AuthorFactory()
    tag = TopicTagFactory()
    target = ArticleFactory(published=True)
    data = article_form_data(
        section=section,
        new_authors=[author],
        tags=[tag],
        related_links=[
            {"target_article": str(target.pk), "after_paragraph": 2},
            {"url": "https://example.org/latar", "title": "Latar belakang", "label": "Lihat"},
        ],
        status=Status.PUBLISHED,
    )
    response = editor_client.post(admin_url(Article, "add"), data)
    assert response.status_code == 302
    article = Article.objects.exclude(pk=target.pk).get()
    assert article.status == Status.PUBLISHED
    assert article.slug == "gubernur-resmikan-jembatan-baru"
    assert article.created_by == editor
    assert list(article.tags.all()) == [tag]
    assert [link.display_title for link in article.related_links.all()] == [
        "Latar belakang",
        target.headline,
    ]


def test_editor_schedules_by_form_with_a_future_time(editor_client):
    article = ArticleFactory()
    due = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    data = article_form_data(article, status=Status.PUBLISHED, published_at=due)
    response = editor_client.post(admin_url(Article, "change", article.pk), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.status, article.published_at, article.first_published_at) == (
        Status.SCHEDULED,
        due,
        None,
    )


def test_editor_scheduling_in_the_past_is_a_form_error(editor_client):
    article = ArticleFactory()
    data = article_form_data(
        article, status=Status.SCHEDULED, published_at=timezone.now() - timedelta(hours=1)
    )
    response = editor_client.post(admin_url(Article, "change", article.pk), data)
    assert response.context["adminform"].form.errors["published_at"] == [
        "A scheduled article needs a publish time in the future."
    ]
    article.refresh_from_db()
    assert article.status == Status.DRAFT


def test_editor_unpublishes_by_form(editor_client):
    article = ArticleFactory(published=True)
    published_at = article.published_at
    data = article_form_data(article, status=Status.UNPUBLISHED)
    response = editor_client.post(admin_url(Article, "change", article.pk), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.status, article.published_at) == (Status.UNPUBLISHED, published_at)


def test_editor_edit_of_a_live_article_keeps_it_live(editor_client):
    article = ArticleFactory(published=True)
    published_at = article.published_at
    data = article_form_data(article, headline="Koreksi judul")
    response = editor_client.post(admin_url(Article, "change", article.pk), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.headline, article.status, article.published_at) == (
        "Koreksi judul",
        Status.PUBLISHED,
        published_at,
    )


def test_editor_clearing_slug_or_time_of_a_live_article_is_a_form_error(editor_client):
    article = ArticleFactory(published=True)
    data = article_form_data(article, slug="", published_at=None)
    response = editor_client.post(admin_url(Article, "change", article.pk), data)
    errors = response.context["adminform"].form.errors
    assert errors["slug"] == ["A published article needs a slug."]
    assert errors["published_at"] == ["A published article needs a publish time."]


def test_invalid_transition_by_form_is_a_form_error(editor_client):
    article = ArticleFactory(published=True)
    data = article_form_data(article, status=Status.IN_REVIEW)
    response = editor_client.post(admin_url(Article, "change", article.pk), data)
    assert response.context["adminform"].form.errors["status"] == [
        "An article cannot go from Published to In review."
    ]


def test_editor_publishes_and_unpublishes_by_action(editor_client):
    with_slug = ArticleFactory()
    without_slug = ArticleFactory(headline="Harga beras naik lagi", slug=None)
    changelist = admin_url(Article, "changelist")
    assert {"publish_selected", "unpublish_selected"} <= action_choices(
        editor_client.get(changelist)
    )

    response = editor_client.post(
        changelist,
        {"action": "publish_selected", ACTION_CHECKBOX_NAME: [with_slug.pk, without_slug.pk]},
    )
    assert response.status_code == 302
    assert "2 articles published." in message_texts(response)
    for article in (with_slug, without_slug):
        article.refresh_from_db()
        assert article.status == Status.PUBLISHED
        assert article.published_at is not None
        assert article.first_published_at == article.published_at
    assert without_slug.slug == "harga-beras-naik-lagi"

    response = editor_client.post(
        changelist, {"action": "unpublish_selected", ACTION_CHECKBOX_NAME: [with_slug.pk]}
    )
    with_slug.refresh_from_db()
    assert with_slug.status == Status.UNPUBLISHED


def test_refused_action_becomes_a_message_not_an_error(editor_client):
    draft = ArticleFactory(headline=XSS)
    response = editor_client.post(
        admin_url(Article, "changelist"),
        {"action": "unpublish_selected", ACTION_CHECKBOX_NAME: [draft.pk]},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{XSS_ESCAPED}: An article cannot go from Draft to Unpublished." in html
    assert "<script>alert(1)</script>" not in html
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


# --- Inline rows: clear errors, nothing saved ---------------------------------------------


@pytest.mark.parametrize(
    ("link", "message"),
    [
        (
            {"url": "https://example.org/x", "title": "X", "target": True},
            "Choose either a related article or an outside URL, not both.",
        ),
        ({"title": "Tanpa tujuan"}, "Choose a related article or enter an outside URL."),
        ({"url": "https://example.org/x"}, "An outside link needs a title."),
        ({"self": True}, "An article cannot link to itself."),
        ({"url": "javascript:alert(1)", "title": "X"}, "Enter a valid URL."),
    ],
)
def test_bad_related_link_is_a_form_error_and_nothing_is_saved(editor_client, link, message):
    article = ArticleFactory(headline="Asli")
    other = ArticleFactory(published=True)
    row = {key: value for key, value in link.items() if key not in ("target", "self")}
    if link.get("target"):
        row["target_article"] = str(other.pk)
    if link.get("self"):
        row["target_article"] = str(article.pk)
    data = article_form_data(article, headline="Diubah", related_links=[row])
    response = editor_client.post(admin_url(Article, "change", article.pk), data)
    assert message in error_messages(response)
    article.refresh_from_db()
    assert article.headline == "Asli"
    assert RelatedLink.objects.count() == 0


def test_article_without_bylines_is_a_form_error(editor_client, section):
    response = editor_client.post(admin_url(Article, "add"), article_form_data(section=section))
    assert "An article needs at least one byline: add an author." in error_messages(response)
    assert Article.objects.count() == 0


def test_removing_every_byline_is_a_form_error(editor_client):
    article = ArticleFactory(headline="Asli")
    data = article_form_data(article, headline="Diubah", keep_bylines=False)
    response = editor_client.post(admin_url(Article, "change", article.pk), data)
    assert "An article needs at least one byline: add an author." in error_messages(response)
    article.refresh_from_db()
    assert article.headline == "Asli"
    assert article.bylines.count() == 1


def test_duplicate_byline_or_tag_is_a_form_error(editor_client):
    article = ArticleFactory()
    author = article.bylines.get().author
    tag = TopicTagFactory()
    data = article_form_data(article, new_authors=[author], tags=[tag, tag])
    response = editor_client.post(admin_url(Article, "change", article.pk), data)
    errors = error_messages(response)
    assert any("duplicate" in error.lower() for error in errors), errors
    assert Byline.objects.count() == 1
    assert TaggedArticle.objects.count() == 0


def test_body_is_sanitised_when_saved_through_the_admin(editor_client):
    article = ArticleFactory()
    data = article_form_data(
        article, body='<p onclick="x()">Teks <a href="javascript:alert(1)">tautan</a></p><script>'
    )
    editor_client.post(admin_url(Article, "change", article.pk), data)
    article.refresh_from_db()
    assert "onclick" not in article.body
    assert "javascript:" not in article.body
    assert "<script" not in article.body
    assert "Teks" in article.body


# --- Photo uploads ------------------------------------------------------------------------


def _post_photo(client, upload):
    return client.post(admin_url(Photo, "add"), photo_form_data(upload))


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            lambda: SimpleUploadedFile("foto.jpg", b"just some text, not an image\n"),
            "This is not a JPEG, PNG, WebP or GIF image.",
        ),
        (
            lambda: SimpleUploadedFile("foto.jpg", noisy_jpeg()[:4000]),
            "The image file is truncated or damaged and cannot be read.",
        ),
        (
            lambda: SimpleUploadedFile("bom.png", png_claiming(50_000, 50_000)),
            "The image is too large: at most 40 megapixels are allowed.",
        ),
        (
            lambda: SimpleUploadedFile("foto.png", image_bytes(fmt="JPEG")),
            "The file is named .png but contains a JPEG image.",
        ),
    ],
    ids=["text-named-jpg", "truncated-jpeg", "decompression-bomb", "wrong-extension"],
)
def test_bad_photo_upload_is_a_form_error_and_nothing_is_saved(
    editor_client, settings, upload, message
):
    settings.PHOTO_MAX_PIXELS = 40_000_000
    response = _post_photo(editor_client, upload())
    assert response.context["adminform"].form.errors["image"] == [message]
    assert Photo.objects.count() == 0
    assert media_files(settings) == []


def test_oversize_photo_upload_is_a_form_error(editor_client, settings):
    settings.PHOTO_MAX_UPLOAD_BYTES = 10 * 1024
    response = _post_photo(editor_client, SimpleUploadedFile("besar.jpg", noisy_jpeg()))
    [error] = response.context["adminform"].form.errors["image"]
    assert "photos may be at most" in error
    assert Photo.objects.count() == 0
    assert media_files(settings) == []


def test_valid_photo_upload_records_size_and_uploader(writer, writer_client, settings):
    response = _post_photo(writer_client, image_upload("jembatan.jpg", width=120, height=90))
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert (photo.width, photo.height, photo.uploaded_by) == (120, 90, writer)
    assert photo.credit == "Foto: Ani Lestari/Antara"
    assert media_files(settings) == [Path(photo.image.path)]


def test_real_camera_jpeg_uploads(editor, editor_client):
    content = (FIXTURE_PHOTOS / "GPS.jpg").read_bytes()
    response = _post_photo(editor_client, SimpleUploadedFile("GPS.jpg", content))
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert (photo.width, photo.height, photo.uploaded_by) == (120, 80, editor)


def test_photo_list_shows_thumbnail_and_size(editor_client):
    photo = PhotoFactory(image=image_upload(width=64, height=48))
    response = editor_client.get(admin_url(Photo, "changelist"))
    html = response.content.decode()
    assert "64×48" in html
    assert f'src="{photo.image.url}"' in html


def test_photo_search_finds_caption_credit_and_alt_text(editor_client):
    wanted = PhotoFactory(caption="Banjir Dayeuhkolot", credit="Foto: Rina/Antara", alt_text="Air")
    PhotoFactory(caption="Pasar", credit="Foto: Lain", alt_text="Sayur")
    for term in ("Dayeuhkolot", "Rina", "Air"):
        response = editor_client.get(admin_url(Photo, "changelist") + f"?q={term}")
        assert list(response.context["cl"].result_list) == [wanted], term


def test_photo_changelist_queries_do_not_grow_with_rows(editor, editor_client):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            editor_client.get(admin_url(Photo, "changelist"))
        return len(queries)

    PhotoFactory(uploaded_by=editor)
    editor_client.get(admin_url(Photo, "changelist"))
    one_row = count_queries()
    for _ in range(4):
        PhotoFactory(uploaded_by=editor)
    assert count_queries() == one_row


# --- Escaping -----------------------------------------------------------------------------


def test_user_text_is_escaped_in_admin_pages(editor_client):
    photo = PhotoFactory(caption=XSS, credit=XSS, alt_text=XSS)
    author = AuthorFactory(name=XSS)
    article = ArticleFactory(headline=XSS, dek=XSS, lead_photo=photo, authors=[author])
    ArticlePhotoFactory(article=article, photo=photo)
    pages = [
        admin_url(Article, "changelist"),
        admin_url(Article, "change", article.pk),
        admin_url(Photo, "changelist"),
        admin_url(Photo, "change", photo.pk),
        admin_url(Author, "changelist"),
    ]
    for url in pages:
        html = editor_client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


# --- Autocomplete -------------------------------------------------------------------------


def test_writer_uses_every_article_autocomplete(writer_client):
    target = ArticleFactory(headline="Banjir di Dayeuhkolot", published=True)
    author = AuthorFactory(name="Banjir Santoso")
    section = SectionFactory(name="Banjir dan Bencana")
    photo = PhotoFactory(caption="Banjir merendam rumah")
    expected = {
        ("article", "section"): str(section.pk),
        ("article", "lead_photo"): str(photo.pk),
        ("byline", "author"): str(author.pk),
        ("articlephoto", "photo"): str(photo.pk),
        ("relatedlink", "target_article"): str(target.pk),
    }
    for (model_name, field_name), pk in expected.items():
        response = writer_client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": "articles",
                "model_name": model_name,
                "field_name": field_name,
                "term": "banjir",
            },
        )
        assert response.status_code == 200, (model_name, field_name)
        assert [row["id"] for row in response.json()["results"]] == [pk], field_name


def test_status_changed_by_someone_else_meanwhile_refuses_the_whole_save(
    editor_client, monkeypatch
):
    """The form checks the move against the status it loaded; the service has the last word,
    and its refusal keeps nothing of the save: the form comes back with the reason."""
    article = ArticleFactory(headline="Asli")
    # Stand-in for a concurrent change: the form's check passes, the service sees the truth.
    monkeypatch.setattr("articles.admin.forms.article_check_transition", lambda **kwargs: None)
    data = article_form_data(article, headline="Diubah", status=Status.UNPUBLISHED)
    response = editor_client.post(admin_url(Article, "change", article.pk), data)
    assert response.status_code == 200
    assert "An article cannot go from Draft to Unpublished." in error_messages(response)
    assert 'value="Diubah"' in response.content.decode()
    article.refresh_from_db()
    assert (article.headline, article.status, article.version) == ("Asli", Status.DRAFT, 1)


def test_editor_reschedules_a_scheduled_article(editor_client):
    article = ArticleFactory()
    first_due = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    editor_client.post(
        admin_url(Article, "change", article.pk),
        article_form_data(article, status=Status.PUBLISHED, published_at=first_due),
    )
    article.refresh_from_db()
    assert article.status == Status.SCHEDULED
    new_due = first_due + timedelta(hours=5)
    response = editor_client.post(
        admin_url(Article, "change", article.pk),
        article_form_data(article, published_at=new_due),
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.status, article.published_at) == (Status.SCHEDULED, new_due)


def test_writer_edits_an_unpublished_article_and_may_keep_its_status(writer, writer_client):
    article = ArticleFactory(published=True, created_by=writer)
    Article.objects.filter(pk=article.pk).update(status=Status.UNPUBLISHED)
    article.refresh_from_db()
    response = writer_client.get(admin_url(Article, "change", article.pk))
    choices = response.context["adminform"].form.fields["status"].choices
    assert [value for value, _label in choices] == [
        Status.DRAFT,
        Status.IN_REVIEW,
        Status.UNPUBLISHED,
    ]
    response = writer_client.post(
        admin_url(Article, "change", article.pk), article_form_data(article, headline="Revisi")
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.headline, article.status) == ("Revisi", Status.UNPUBLISHED)


# --- Fields the form does not offer: ignored, and the attempt audited ----------------------

FORGED = {
    "published_at_0": "2020-01-01",
    "published_at_1": "08:00:00",
    "first_published_at": "2020-01-01 08:00",
    "version": "99",
    "deleted_at_0": "2020-01-01",
    "deleted_at_1": "08:00:00",
    "live_revision": "1",
}


def _ignored_field_entries(article):
    return list(
        article.transitions.filter(note__startswith="Ignored").values_list("user__username", "note")
    )


def test_a_writers_forged_hidden_fields_are_ignored_and_audited(writer, writer_client, editor):
    article = ArticleFactory(created_by=writer)
    stored = Article.objects.values().get(pk=article.pk)
    data = {
        **article_form_data(article, headline="Judul baru"),
        **FORGED,
        "created_by": str(editor.pk),
        "locked_by": str(editor.pk),
    }

    response = writer_client.post(admin_url(Article, "change", article.pk), data)

    assert response.status_code == 302
    after = Article.objects.values().get(pk=article.pk)
    assert after["headline"] == "Judul baru"
    for name in ("published_at", "first_published_at", "deleted_at", "live_revision_id",
                 "created_by_id", "locked_by_id", "status"):  # fmt: skip
        assert after[name] == stored[name], name
    assert after["version"] == stored["version"] + 1  # the save's own bump, not 99
    assert _ignored_field_entries(article) == [
        (
            "wira.writer",
            "Ignored fields the form does not offer: created_by, deleted_at, "
            "first_published_at, live_revision, locked_by, published_at, version.",
        )
    ]
    entry = article.transitions.get(note__startswith="Ignored")
    assert (entry.from_status, entry.to_status) == (Status.DRAFT, Status.DRAFT)


def test_a_writers_forged_fields_on_a_new_article_are_audited(writer, writer_client, editor):
    section = SectionFactory()
    data = {
        **article_form_data(section=section, new_authors=[AuthorFactory()]),
        "created_by": str(editor.pk),
    }
    del data["published_at_0"], data["published_at_1"]  # read-only for writers

    response = writer_client.post(admin_url(Article, "add"), data)

    assert response.status_code == 302
    article = Article.objects.get()
    assert article.created_by == writer
    assert _ignored_field_entries(article) == [
        ("wira.writer", "Ignored fields the form does not offer: created_by.")
    ]


def test_an_editors_forged_fields_are_audited_too(editor, editor_client, writer):
    article = ArticleFactory(created_by=writer)
    data = {**article_form_data(article), "created_by": str(editor.pk), "version": "7"}

    editor_client.post(admin_url(Article, "change", article.pk), data)

    article.refresh_from_db()
    assert article.created_by == writer
    assert _ignored_field_entries(article) == [
        ("edna.editor", "Ignored fields the form does not offer: created_by, version.")
    ]


def test_a_save_with_only_the_forms_fields_is_not_audited(writer, writer_client, editor_client):
    article = ArticleFactory(created_by=writer)
    data = article_form_data(article, headline="Biasa")
    del data["published_at_0"], data["published_at_1"]  # read-only for writers, not sent

    by_writer = writer_client.post(admin_url(Article, "change", article.pk), data)
    article.refresh_from_db()
    data = article_form_data(article, headline="Lagi")
    by_editor = editor_client.post(admin_url(Article, "change", article.pk), data)

    assert by_writer.status_code == by_editor.status_code == 302
    assert _ignored_field_entries(article) == []
    assert article.transitions.count() == 0
