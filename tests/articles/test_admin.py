"""The editors' admin: every page renders, text is escaped, autocompletes answer, and fields
the form does not offer are ignored and audited."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from articles.models import Article, Author, Section
from articles.photos.models import Photo
from tagging.models import TopicTag
from tests.support.admin import (
    XSS,
    admin_url,
    article_form_data,
    error_messages,
)
from tests.support.factories import (
    ArticleFactory,
    ArticlePhotoFactory,
    AuthorFactory,
    PhotoFactory,
    RelatedLinkFactory,
    SectionFactory,
    TopicTagFactory,
    image_upload,
)

Status = Article.Status


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
