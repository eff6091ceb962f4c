"""docs/reliability.md A, B, C5, D, E, H1 through the public and write APIs (tier U)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.module_loading import import_string
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

from articles.models import Article
from articles.photos.models import Photo
from articles.services import article_revision_record
from tests.support.api import (
    ARTICLES_URL,
    PHOTOS_URL,
    article_url,
    assert_db_unchanged,
    error_of,
    token_client,
)
from tests.support.factories import ArticleFactory, AuthorFactory, image_bytes
from tests.support.images import png_claiming

pytestmark = pytest.mark.django_db

MARKER = "zqxreliabilitydraft"


@pytest.fixture
def draft(writer, section, author) -> Article:
    article = ArticleFactory(
        headline=f"Banjir {MARKER}", slug=f"{MARKER}-draft", section=section,
        authors=[author], created_by=writer,
    )  # fmt: skip
    article_revision_record(article=article, user=writer, bump=False)
    return article


def _payload(**overrides) -> dict:
    data = {
        "headline": "Jalan tol Cipularang ditutup",
        "body": "<p>Paragraf satu.</p>",
        "dateline": "PURWAKARTA",
        "section": "daerah",
        "language": "id",
        "bylines": ["siti-rahma"],
    }
    return data | overrides


# --- A. Public API ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["status=draft", "status=scheduled", "filter=status:draft", "include_drafts=1"]
)
def test_a1_status_parameters_are_400_invalid_parameter(api_client, draft, query):
    ArticleFactory(published=True)
    error = error_of(api_client.get(f"/api/v1/articles/?{query}"), 400)
    assert (error["code"], error["field"]) == ("invalid_parameter", query.split("=")[0])


@pytest.mark.parametrize("kind", ["draft", "scheduled", "trashed", "future"])
def test_a2_hidden_article_detail_is_404_like_unknown(api_client, section, kind):
    now = timezone.now()
    fields = {
        "draft": {},
        "scheduled": {"status": Article.Status.SCHEDULED, "published_at": now + timedelta(hours=1)},
        "trashed": {"published": True, "deleted_at": now},
        "future": {"status": Article.Status.PUBLISHED, "published_at": now + timedelta(hours=1)},
    }[kind]
    ArticleFactory(slug="tersembunyi", section=section, **fields)

    # The same X-Request-ID both times: otherwise that header alone would differ.
    hidden = api_client.get("/api/v1/articles/tersembunyi/", HTTP_X_REQUEST_ID="a2")
    unknown = api_client.get("/api/v1/articles/tidak-ada/", HTTP_X_REQUEST_ID="a2")

    assert error_of(hidden, 404)["code"] == "not_found"
    assert hidden.content == unknown.content
    assert "Last-Modified" not in hidden
    assert dict(hidden.headers) == dict(unknown.headers)
    # Each with an id of its own: only the ids differ, not the size.
    hidden, unknown = (
        api_client.get("/api/v1/articles/tersembunyi/"),
        api_client.get("/api/v1/articles/tidak-ada/"),
    )
    assert hidden["X-Request-ID"] != unknown["X-Request-ID"]
    assert len(hidden.content) == len(unknown.content)
    assert hidden.content.replace(hidden["X-Request-ID"].encode(), b"") == (
        unknown.content.replace(unknown["X-Request-ID"].encode(), b"")
    )


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/articles/",
        "/api/v1/articles/?author=siti-rahma",
        f"/api/v1/search/?q={MARKER}",
        "/api/v1/tags/",
        "/api/v1/authors/",
        "/feeds/latest/rss/",
        "/sitemap.xml",
    ],
)
def test_a3_a_drafts_marker_appears_on_no_public_surface(api_client, draft, author, url):
    draft.tags.add("Banjir")
    live = ArticleFactory(published=True, authors=[author], tags=["Banjir"])
    live.related_links.create(target_article=draft, after_paragraph=1, position=0)

    response = api_client.get(url)

    assert response.status_code == 200
    assert MARKER not in response.content.decode()


@pytest.mark.parametrize("url", ["/api/v1/users/", "/api/v1/users/1/", "/wp-json/wp/v2/users"])
def test_a5_there_is_no_users_endpoint(api_client, url):
    assert api_client.get(url).status_code == 404


def test_a5_authors_show_public_fields_only(api_client, writer):
    ArticleFactory(published=True, authors=[AuthorFactory(slug="siti", user=writer)])

    body = api_client.get("/api/v1/authors/siti/").content.decode()

    for private in ("email", "username", "is_staff", "last_login", writer.username):
        assert private not in body


def test_a6_another_writers_draft_is_404_through_the_write_api(draft, other_writer):
    # Desks do not exist yet: the scoping tested is per writer (own articles only).
    response = token_client(other_writer).get(article_url(draft))
    assert error_of(response, 404)["code"] == "not_found"


# --- B. Write API ---------------------------------------------------------------------------


B2_PAYLOAD = {"status": "published", "authors": [1], "visibility": "public",
              "published_at": "2020-01-01T00:00:00Z"}  # fmt: skip


def test_b2_writer_patching_status_authors_and_dates_is_403_and_applies_nothing(writer, draft):
    with assert_db_unchanged():
        response = token_client(writer).patch(
            article_url(draft), B2_PAYLOAD, format="json", HTTP_IF_MATCH='"v1"'
        )
    error = error_of(response, 403)
    assert (error["code"], error["field"]) == ("permission_denied", "status")


@pytest.mark.parametrize(
    "body",
    [{"visibility": "public", "published_at": "2020-01-01T00:00:00Z", "status": "published"},
     {"dek": "Boleh.", "headline": "Juga boleh", "status": "published"}],
)  # fmt: skip
def test_b2_status_is_named_whatever_the_key_order_or_allowed_keys_beside_it(writer, draft, body):
    with assert_db_unchanged():
        response = token_client(writer).patch(
            article_url(draft), body, format="json", HTTP_IF_MATCH='"v1"'
        )
    assert error_of(response, 403)["field"] == "status"


@pytest.mark.parametrize(
    ("key", "value"),
    [("published_at", "2020-01-01T00:00:00Z"), ("first_published_at", "2020-01-01T00:00:00Z"),
     ("visibility", "public")],
)  # fmt: skip
def test_b2_each_editor_only_key_is_403_naming_it(writer, draft, key, value):
    with assert_db_unchanged():
        response = token_client(writer).patch(
            article_url(draft), {key: value}, format="json", HTTP_IF_MATCH='"v1"'
        )
    error = error_of(response, 403)
    assert (error["code"], error["field"]) == ("permission_denied", key)
    assert str(draft.pk) not in error["message"] and draft.headline not in error["message"]


def test_b2_writer_creating_a_published_draft_is_403_and_creates_nothing(writer, section, author):
    with assert_db_unchanged():
        response = token_client(writer).post(
            ARTICLES_URL, _payload(status="published"), format="json"
        )
    error = error_of(response, 403)
    assert (error["code"], error["field"]) == ("permission_denied", "status")


def test_b2_refused_from_the_role_before_the_article_is_looked_up(writer):
    # Role checks run before any lookup: an unknown id gets the same 403, not a 404.
    with assert_db_unchanged():
        response = token_client(writer).patch(
            f"{ARTICLES_URL}999999/", B2_PAYLOAD, format="json", HTTP_IF_MATCH='"v1"'
        )
    assert error_of(response, 403)["field"] == "status"


@pytest.mark.parametrize(("key", "value"), [("authors", [1]), ("owner", 1)])
def test_b2_keys_unknown_to_everyone_stay_400_unknown_field(writer, draft, key, value):
    with assert_db_unchanged():
        response = token_client(writer).patch(
            article_url(draft), {key: value}, format="json", HTTP_IF_MATCH='"v1"'
        )
    error = error_of(response, 400)
    assert (error["code"], error["field"]) == ("unknown_field", key)


def test_b2_editors_keep_400_unknown_field_for_status(editor, draft):
    # Nobody sets these through PATCH: editors use the workflow actions.
    with assert_db_unchanged():
        response = token_client(editor).patch(
            article_url(draft), B2_PAYLOAD, format="json", HTTP_IF_MATCH='"v1"'
        )
    error = error_of(response, 400)
    assert (error["code"], error["field"]) == ("unknown_field", "status")
    assert "publish" in error["message"]


def test_b2_writer_may_still_edit_content(writer, draft):
    response = token_client(writer).patch(
        article_url(draft), {"dek": "Diperbarui."}, format="json", HTTP_IF_MATCH='"v1"'
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "draft"


@pytest.mark.parametrize(
    ("field", "value"),
    [("id", 999), ("created_by", 1), ("live_revision", 3), ("locked_by", 2),
     ("photo", {"file": "../../app/settings.py"})],
)  # fmt: skip
def test_b3_read_only_or_unknown_keys_are_400_unknown_field(writer, section, author, field, value):
    with assert_db_unchanged():
        response = token_client(writer).post(
            ARTICLES_URL, _payload(**{field: value}), format="json"
        )
    error = error_of(response, 400)
    assert (error["code"], error["field"]) == ("unknown_field", field)


@pytest.mark.parametrize("action", ["publish", "unpublish", "schedule"])
def test_b5_writer_workflow_actions_are_403_permission_denied(writer, draft, action):
    body = {"publish_at": (timezone.now() + timedelta(hours=1)).isoformat()}
    with assert_db_unchanged():
        response = token_client(writer).post(
            article_url(draft, action), body if action == "schedule" else {},
            format="json", HTTP_IF_MATCH='"v1"',
        )  # fmt: skip
    error = error_of(response, 403)
    assert error["code"] == "permission_denied"
    assert draft.headline not in error["message"] and str(draft.pk) not in error["message"]


def test_b5_delete_is_not_offered(editor, draft):
    with assert_db_unchanged():
        response = token_client(editor).delete(article_url(draft), HTTP_IF_MATCH='"v1"')
    assert error_of(response, 405)["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    "authorization", [None, "Token", "Token nope", "Bearer abc", "Token " + "0" * 40]
)
def test_b6_missing_or_bad_tokens_are_401_with_www_authenticate(draft, authorization):
    client = token_client(None)
    if authorization:
        client.credentials(HTTP_AUTHORIZATION=authorization)
    response = client.get(article_url(draft))
    assert error_of(response, 401)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


def test_b6_deactivated_users_token_is_401(deactivated, draft):
    response = token_client(deactivated).get(article_url(draft))
    assert error_of(response, 401)["code"] == "not_authenticated"


def test_b6_expired_token_is_401(writer, draft):
    client = token_client(writer)
    token = writer.api_tokens.get()
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save()
    error = error_of(client.get(article_url(draft)), 401)
    assert error["code"] == "not_authenticated"
    assert "expired" in error["message"]

    token.expires_at = timezone.now() + timedelta(minutes=1)
    token.save()
    assert client.get(article_url(draft)).status_code == 200


def test_b6_token_in_the_query_string_is_refused_even_with_a_good_header(writer, draft):
    client = token_client(writer)
    key = client._credentials["HTTP_AUTHORIZATION"].split()[1]
    response = client.get(f"{article_url(draft)}?token={key}")
    error = error_of(response, 401)
    assert error["code"] == "not_authenticated"
    assert "never in the URL" in error["message"]


# --- C5. JSON only ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/articles/", "/api/v1/manage/articles/"])
def test_c5_accept_text_html_gets_json(url):
    response = Client().get(url, HTTP_ACCEPT="text/html")
    assert response.status_code in (401, 406)
    assert response["Content-Type"] == "application/json"
    assert b"<html" not in response.content.lower()


def test_c5_the_browsable_api_is_off(settings):
    (renderer,) = settings.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"]
    assert issubclass(import_string(renderer), JSONRenderer)
    assert not issubclass(import_string(renderer), BrowsableAPIRenderer)


# --- D. Uploads ---------------------------------------------------------------------------


def _upload(writer, name: str, content: bytes):
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    with assert_db_unchanged():
        response = token_client(writer).post(PHOTOS_URL, {"image": upload}, format="multipart")
    return response


@pytest.mark.parametrize(
    ("name", "content"),
    [("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
     ("logo.jpg", b"<svg><script>alert(1)</script></svg>")],
)  # fmt: skip
def test_d1_svg_is_415_unsupported_image_format(writer, name, content):
    error = error_of(_upload(writer, name, content), 415)
    assert (error["code"], error["field"]) == ("unsupported_image_format", "image")


@pytest.mark.parametrize(
    ("name", "content", "status", "code"),
    [
        ("photo.php.jpg", b"<?php system($_GET['c']); ?>", 415, "unsupported_image_format"),
        ("x.jpg", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", 415, "unsupported_image_format"),
        ("x.jpg", image_bytes(fmt="GIF"), 400, "extension_mismatch"),
        ("empty.jpg", b"", 400, "empty"),
        ("cut.jpg", image_bytes(width=400, height=300)[:600], 400, "invalid_image"),
    ],
)
def test_d3_disguised_empty_or_truncated_files_are_refused(writer, name, content, status, code):
    assert error_of(_upload(writer, name, content), status)["code"] == code
    assert not Photo.objects.exists()


def test_d3_stored_names_are_generated_with_the_detected_extension(writer):
    upload = SimpleUploadedFile("photo.php.png", image_bytes(fmt="PNG"), content_type="image/png")
    response = token_client(writer).post(PHOTOS_URL, {"image": upload}, format="multipart")
    assert response.status_code == 201, response.json()
    name = Photo.objects.get().image.name
    assert name.endswith(".png") and "php" not in name


def test_d4_pixel_bomb_is_400_before_any_task(writer, sent_tasks):
    error = error_of(_upload(writer, "bomb.png", png_claiming(50_000, 50_000)), 400)
    assert error["code"] == "image_too_many_pixels"
    assert "40" in error["message"]
    assert sent_tasks == []


def test_d5_upload_over_the_limit_is_413_before_it_is_read(writer, settings):
    settings.PHOTO_MAX_UPLOAD_BYTES = 10
    response = token_client(writer).generic(
        "POST", PHOTOS_URL, b"x" * 2_000_000,
        content_type="multipart/form-data; boundary=zzz",
    )  # fmt: skip
    assert error_of(response, 413)["code"] == "file_too_large"
    assert not Photo.objects.exists()


def test_d6_too_many_fields_is_400_too_many_fields(writer, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    fields = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 10)}
    with assert_db_unchanged():
        response = token_client(writer).post(PHOTOS_URL, fields, format="multipart")
    assert error_of(response, 400)["code"] == "too_many_fields"
    assert list(tmp_path.iterdir()) == []


def test_d6_too_many_files_is_400_too_many_files(writer, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    files = {
        f"f{i}": SimpleUploadedFile(f"a{i}.jpg", image_bytes(), content_type="image/jpeg")
        for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 5)
    }
    with assert_db_unchanged():
        response = token_client(writer).post(PHOTOS_URL, files, format="multipart")
    assert error_of(response, 400)["code"] == "too_many_files"
    assert list(tmp_path.iterdir()) == []


def test_d6_bad_host_header_is_json_400(settings):
    response = Client().get("/api/v1/articles/", HTTP_HOST="evil.example")
    assert error_of(response, 400)["code"] == "disallowed_host"


# --- E. Resource consumption ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [("page_size=100000", "page_size"), ("page_size=0", "page_size"),
     ("page_size=abc", "page_size"), ("offset=-1", "offset"), ("page=abc", "page")],
)  # fmt: skip
def test_e1_page_bounds_are_400_invalid_parameter(api_client, query, field):
    error = error_of(api_client.get(f"/api/v1/articles/?{query}"), 400)
    assert (error["code"], error["field"]) == ("invalid_parameter", field)


def test_e1_page_size_message_states_the_range(api_client):
    error = error_of(api_client.get("/api/v1/articles/?page_size=101"), 400)
    assert "between 1 and 100" in error["message"]


def test_e1_past_the_end_is_404_invalid_page(api_client):
    ArticleFactory(published=True, headline="Banjir surut")
    assert error_of(api_client.get("/api/v1/search/?q=banjir&page=2"), 404)["code"] == (
        "invalid_page"
    )
    assert error_of(api_client.get("/api/v1/articles/?cursor=zzz"), 404)["code"] == ("invalid_page")
    error = error_of(api_client.get("/api/v1/search/?q=banjir&page=999999"), 400)
    assert (error["code"], error["field"]) == ("invalid_parameter", "page")


def test_e2_json_over_5_mb_is_413_request_too_large(writer, section, author):
    body = json.dumps(_payload(body="<p>" + "x" * (5 * 1024 * 1024) + "</p>"))
    with assert_db_unchanged():
        response = token_client(writer).generic(
            "POST", ARTICLES_URL, body, content_type="application/json"
        )
    error = error_of(response, 413)
    assert error["code"] == "request_too_large"
    assert "5 MB" in error["message"]


@pytest.mark.parametrize(
    ("exception", "status", "code"),
    [(RequestDataTooBig(), 413, "request_too_large"),
     (TooManyFieldsSent(), 400, "too_many_fields"),
     (TooManyFilesSent(), 400, "too_many_files"),
     (DisallowedHost(), 400, "disallowed_host"),
     (SuspiciousOperation(), 400, "bad_request")],
)  # fmt: skip
def test_e2_djangos_own_refusals_are_json_under_api(rf, exception, status, code):
    # handler400 receives what Django raised while reading the request (outside DRF views).
    from newsroom.http.errors import api_bad_request

    error = error_of(api_bad_request(rf.post("/api/v1/articles/"), exception), status)
    assert error["code"] == code
    # Outside /api/ (the admin), Django's own page stays.
    assert api_bad_request(rf.get("/admin/"), exception)["Content-Type"].startswith("text/html")


def test_e4_body_html_over_500_kb_is_refused(writer, section, author, settings):
    body = "<p>" + "kata " * (settings.ARTICLE_BODY_MAX_BYTES // 5 + 10) + "</p>"
    with assert_db_unchanged():
        response = token_client(writer).post(ARTICLES_URL, _payload(body=body), format="json")
    error = error_of(response, 400)
    assert (error["code"], error["field"]) == ("body_too_large", "body")
    assert settings.ARTICLE_BODY_MAX_BYTES == 500 * 1024


def test_e4_django_is_at_least_5_2_11():
    import django

    assert django.VERSION[:2] == (5, 2) and django.VERSION[2] >= 11


def test_e6_anonymous_clients_get_429_throttled_with_retry_after(api_client, settings):
    settings.API_ANON_THROTTLE_RATE = "2/min"
    for _ in range(2):
        assert api_client.get("/api/v1/articles/").status_code == 200
    response = api_client.get("/api/v1/articles/")
    assert error_of(response, 429)["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_e6_writes_are_throttled_per_token(writer, section, author, settings):
    settings.API_WRITE_THROTTLE_RATE = "1/min"
    client = token_client(writer)
    assert client.post(ARTICLES_URL, _payload(), format="json").status_code == 201
    with assert_db_unchanged():
        response = client.post(ARTICLES_URL, _payload(headline="Lagi"), format="json")
    assert error_of(response, 429)["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


# --- H1. If-Match ------------------------------------------------------------------------------


def test_h1_stale_if_match_is_412_and_the_first_save_is_intact(editor, writer, draft):
    first = token_client(writer).patch(
        article_url(draft), {"dek": "Versi A."}, format="json", HTTP_IF_MATCH='"v1"'
    )
    assert first.status_code == 200
    with assert_db_unchanged():
        second = token_client(editor).patch(
            article_url(draft), {"dek": "Versi B."}, format="json", HTTP_IF_MATCH='"v1"'
        )
    error = error_of(second, 412)
    assert error["code"] == "precondition_failed"
    assert second["ETag"] == error["current_etag"] == '"v2"'
    draft.refresh_from_db()
    assert draft.dek == "Versi A."


def test_h1_missing_if_match_is_428(writer, draft):
    with assert_db_unchanged():
        response = token_client(writer).patch(article_url(draft), {"dek": "x"}, format="json")
    assert error_of(response, 428)["code"] == "precondition_required"
