"""docs/reliability.md A8, B6, F3 (password reset) and H4 (request ids): who may see or do what,
and how a failure is traced (tier U)."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail, signing
from django.db import OperationalError
from django.test import Client
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from articles.models import Article
from articles.services import (
    PREVIEW_SALT,
    article_preview_token,
    article_publish,
    article_revision_record,
    article_unpublish,
)
from newsroom.accounts.password_reset import staff_password_reset_send
from newsroom.logging_filters import RequestIdLogFilter
from tests.support.api import ARTICLES_URL, article_url, assert_db_unchanged, error_of, token_client
from tests.support.factories import ArticleFactory

pytestmark = pytest.mark.django_db

PREVIEW_URL = "/api/v1/preview/{}/"


@pytest.fixture
def draft(writer) -> Article:
    article = ArticleFactory(headline="Draf rahasia zqxpreview", created_by=writer)
    article_revision_record(article=article, user=writer, bump=False)
    return article


# --- A8. Previews ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["writer", "outsider"])
@pytest.mark.parametrize("whose", ["own", "another editor's"])
def test_a8_post_for_a_preview_without_the_right_is_403_and_changes_nothing(
    request, editor, draft, role, whose
):
    user = request.getfixturevalue(role)
    article = draft if whose == "own" else ArticleFactory(created_by=editor)
    with assert_db_unchanged():
        response = token_client(user).post(article_url(article, "preview"), {}, format="json")
    error = error_of(response, 403)
    assert error["code"] == "permission_denied"
    assert b"zqxpreview" not in response.content and b"preview/" not in response.content


def test_a8_role_is_checked_before_the_article_is_looked_up(writer):
    response = token_client(writer).post(f"{ARTICLES_URL}999999/preview/", {}, format="json")
    assert error_of(response, 403)["code"] == "permission_denied"


def test_a8_an_editor_gets_a_link_to_the_latest_revision(editor, draft, settings):
    settings.API_BASE_URL = "https://cms.example.org"
    with assert_db_unchanged():
        response = token_client(editor).post(article_url(draft, "preview"), {}, format="json")
    assert response.status_code == 200, response.json()
    link = response.json()
    assert link["revision"] == 1
    assert link["url"].startswith("https://cms.example.org/api/v1/preview/")
    preview = Client().get(link["url"].removeprefix(settings.API_BASE_URL))
    assert preview.status_code == 200
    assert preview.json()["headline"] == "Draf rahasia zqxpreview"


def test_a8_unknown_keys_in_a_preview_request_are_400(editor, draft):
    response = token_client(editor).post(
        article_url(draft, "preview"), {"revision": 1}, format="json"
    )
    error = error_of(response, 400)
    assert (error["code"], error["field"]) == ("unknown_field", "revision")


def _forged(**payload) -> str:
    return signing.TimestampSigner(salt=PREVIEW_SALT).sign_object(payload)


def _assert_preview_refused(client, token: str):
    with assert_db_unchanged():
        response = client.get(PREVIEW_URL.format(token))
    error = error_of(response, 401)
    assert error["code"] == "preview_token_invalid"
    assert response["WWW-Authenticate"]
    assert b"zqxpreview" not in response.content


def test_a8_a_token_replayed_for_another_article_or_revision_is_401(editor, draft):
    other = ArticleFactory(headline="Lain")
    other_revision = article_revision_record(article=other, user=editor, bump=False)
    own_revision = draft.revisions.get()
    client = Client()
    # Signed with the server's key, but naming a revision of another article.
    _assert_preview_refused(client, _forged(a=draft.pk, r=other_revision.pk, u=editor.pk))
    _assert_preview_refused(client, _forged(a=other.pk, r=own_revision.pk, u=editor.pk))
    # Bound to a user who may not make links.
    _assert_preview_refused(client, _forged(a=draft.pk, r=own_revision.pk, u=draft.created_by_id))


def test_a8_an_expired_token_is_401(editor, draft):
    token = article_preview_token(article=draft, revision=draft.revisions.get(), user=editor)
    client = Client()
    with time_machine.travel(timezone.now() + timedelta(minutes=14)):
        assert client.get(PREVIEW_URL.format(token)).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        _assert_preview_refused(client, token)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: "x" + t,
        lambda t: t.split(":")[0],
        lambda t: "garbage",
        lambda t: "a" * 500,
        lambda t: t + "0",
    ],
    ids=["signature", "payload", "no-signature", "garbage", "long", "suffix"],
)
def test_a8_a_malformed_or_tampered_token_is_401(editor, draft, tamper):
    token = article_preview_token(article=draft, revision=draft.revisions.get(), user=editor)
    _assert_preview_refused(Client(), tamper(token))


def test_a8_a_revoked_token_is_401(editor, draft):
    token = article_preview_token(article=draft, revision=draft.revisions.get(), user=editor)
    editor.groups.remove(Group.objects.get(name="Editor"))
    _assert_preview_refused(Client(), token)


def test_a8_the_public_preview_url_takes_no_post(editor, draft):
    token = article_preview_token(article=draft, revision=draft.revisions.get(), user=editor)
    with assert_db_unchanged():
        response = Client().post(
            PREVIEW_URL.format(token), {"headline": "x"}, content_type="application/json"
        )
    assert error_of(response, 405)["code"] == "method_not_allowed"
    assert b"zqxpreview" not in response.content


def test_a8_the_schema_documents_the_401():
    from drf_spectacular.settings import spectacular_settings

    # The configured generator, as /api/schema/ uses: it applies the views' annotations.
    schema = spectacular_settings.DEFAULT_GENERATOR_CLASS().get_schema(request=None, public=True)
    responses = schema["paths"]["/api/v1/preview/{token}/"]["get"]["responses"]
    assert "preview_token_invalid" in responses["401"]["description"]
    assert "403" in schema["paths"]["/api/v1/manage/articles/{id}/preview/"]["post"]["responses"]


# --- B6. Tokens --------------------------------------------------------------------------------


@pytest.mark.parametrize("param", ["token", "access_token", "auth_token", "api_key", "key"])
@pytest.mark.parametrize("with_header", [True, False])
def test_b6_query_string_tokens_are_refused_and_write_nothing(writer, draft, param, with_header):
    client = token_client(writer)
    key = client._credentials["HTTP_AUTHORIZATION"].split()[1]
    if not with_header:
        client = token_client(None)
    with assert_db_unchanged():
        response = client.patch(
            f"{article_url(draft)}?{param}={key}", {"dek": "x"}, format="json",
            HTTP_IF_MATCH='"v1"',
        )  # fmt: skip
    assert error_of(response, 401)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("key", ["A" * 40, "0" * 39, "0" * 41, "zz" * 20, "0" * 5000, "0;1=1"])
def test_b6_a_malformed_key_is_refused_without_a_query(draft, key, django_assert_num_queries):
    client = token_client(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with django_assert_num_queries(0):
        response = client.get(article_url(draft))
    error = error_of(response, 401)
    assert error == {"code": "not_authenticated", "message": "Invalid token."}
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("header", ["Token " + "é" * 40, "Token ' OR 1=1 --", "Token a b"])
def test_b6_a_malformed_header_is_401_without_a_query(draft, header, django_assert_num_queries):
    client = token_client(None)
    client.credentials(HTTP_AUTHORIZATION=header)
    with django_assert_num_queries(0):
        response = client.get(article_url(draft))
    assert error_of(response, 401)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


def test_b6_malformed_and_unknown_keys_get_the_same_answer(draft):
    answers = []
    for key in ("z" * 40, "0" * 40):
        client = token_client(None)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        response = client.get(article_url(draft), HTTP_X_REQUEST_ID="b6")
        answers.append((response.status_code, response.content, dict(response.headers)))
    assert answers[0] == answers[1]


# --- F3. Password reset ------------------------------------------------------------------------


@pytest.fixture
def staff(db) -> User:
    return User.objects.create_user(
        "redaktur", email="redaktur@example.org", password="sandi-lama-2026", is_staff=True
    )


def _reset(email: str):
    with (
        mock.patch("newsroom.accounts.tasks.staff_password_reset_mail_task.delay") as delay,
        mock.patch.object(
            PasswordResetTokenGenerator, "make_token", autospec=True,
            side_effect=PasswordResetTokenGenerator.make_token,
        ) as make_token,
        assert_db_unchanged(),
    ):  # fmt: skip
        response = Client().post("/admin/password_reset/", {"email": email}, HTTP_X_REQUEST_ID="f3")
    return response, delay, make_token


def test_f3_password_reset_for_a_known_or_unknown_address_answers_alike(staff):
    known, known_delay, known_tokens = _reset("redaktur@example.org")
    unknown, unknown_delay, unknown_tokens = _reset("tidak.ada@example.org")

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/admin/password_reset/done/"
    assert known.content == unknown.content
    assert dict(known.headers) == dict(unknown.headers)
    assert sorted(known.cookies) == sorted(unknown.cookies)
    # The same run path: one task with the address, no token made, no mail sent here.
    known_delay.assert_called_once_with("redaktur@example.org")
    unknown_delay.assert_called_once_with("tidak.ada@example.org")
    assert known_tokens.call_count == unknown_tokens.call_count == 0
    assert mail.outbox == []
    # The page the redirect leads to is the same for everyone.
    assert Client().get(known["Location"]).status_code == 200


def test_f3_broker_down_answers_the_form_again_alike_for_every_address(staff):
    pages = []
    for email in ("redaktur@example.org", "tidak.ada@example.org"):
        with (
            mock.patch(
                "newsroom.accounts.tasks.staff_password_reset_mail_task.delay",
                side_effect=KombuOperationalError("connection refused"),
            ),
            assert_db_unchanged(),
        ):
            response = Client().post(
                "/admin/password_reset/", {"email": email}, HTTP_X_REQUEST_ID="f3"
            )
        assert response.status_code == 200
        page = response.content.decode()
        assert "E-mail cannot be sent right now" in page
        # The same page but for the address typed and the form's CSRF token.
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
        pages.append(page.replace(email, "<email>"))
    assert pages[0] == pages[1]
    assert mail.outbox == []


def test_f3_the_reset_form_is_linked_from_the_admin_login():
    page = Client().get("/admin/login/").content.decode()
    assert 'href="/admin/password_reset/"' in page
    form = Client().get("/admin/password_reset/")
    assert form.status_code == 200
    assert "Newsroom" in form.content.decode()  # the admin's header, not Django's


def test_f3_the_task_mails_only_active_staff_with_a_usable_password(staff, settings):
    settings.SITE_URL = "https://redaksi.example.org"
    User.objects.create_user("pembaca", email="pembaca@example.org", password="x")
    User.objects.create_user(
        "nonaktif", email="nonaktif@example.org", password="x", is_staff=True, is_active=False
    )
    tanpa = User.objects.create_user("tanpa", email="tanpa@example.org", is_staff=True)
    tanpa.set_unusable_password()
    tanpa.save()

    for email in ("pembaca@example.org", "nonaktif@example.org", "tanpa@example.org",
                  "tidak.ada@example.org"):  # fmt: skip
        staff_password_reset_send(email=email)
    assert mail.outbox == []

    staff_password_reset_send(email="REDAKTUR@example.org")
    [message] = mail.outbox
    assert message.to == ["redaktur@example.org"]
    # The link is built from SITE_URL, never from a request's Host header.
    link = re.search(r"https://redaksi\.example\.org(/admin/reset/\S+/)", message.body)
    assert link

    # The link sets a new password.
    client = Client()
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "sandi-baru-2026-xyz", "new_password2": "sandi-baru-2026-xyz"},
    )
    assert done.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password("sandi-baru-2026-xyz")


# --- H4. Publish failure: 503 with a request id ---------------------------------------------


def _failing_publish(editor, **headers):
    article = ArticleFactory(headline="Gempa", created_by=editor)
    with (
        assert_db_unchanged(),
        mock.patch(
            "articles.published.notify.webhook_events_emit",
            side_effect=OperationalError("server closed"),
        ),
    ):
        return token_client(editor).post(
            f"{ARTICLES_URL}{article.pk}/publish/", {}, format="json", **headers
        )


def test_h4_publish_failure_is_503_publish_failed_with_the_request_id(editor, caplog):
    caplog.handler.addFilter(RequestIdLogFilter())
    with caplog.at_level(logging.WARNING):
        response = _failing_publish(editor)

    error = error_of(response, 503)
    assert error["code"] == "publish_failed"
    request_id = json.loads(response.content)["request_id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert response["X-Request-ID"] == request_id
    # The error's log line carries the same id, so an operator finds it from the answer.
    logged = [r for r in caplog.records if "Database unavailable" in r.getMessage()]
    assert logged and {r.request_id for r in logged} == {request_id}


def test_h4_a_failed_publish_leaves_the_article_off_the_public_api_and_enqueues_nothing(
    editor, sent_tasks
):
    # Published once, then unpublished: its live revision and status must stay as they are.
    article = ArticleFactory(headline="Gempa", created_by=editor)
    article_publish(article=article, user=editor)
    article_unpublish(article=Article.objects.get(pk=article.pk), user=editor)
    article = Article.objects.get(pk=article.pk)
    detail = f"/api/v1/articles/{article.slug}/"
    assert Client().get(detail).status_code == 404
    sent_tasks.clear()

    with (
        assert_db_unchanged(),
        mock.patch(
            "articles.published.notify.webhook_events_emit",
            side_effect=OperationalError("server closed"),
        ),
    ):
        response = token_client(editor).post(article_url(article, "publish"), {}, format="json")

    assert error_of(response, 503)["code"] == "publish_failed"
    assert json.loads(response.content)["request_id"] == response["X-Request-ID"]
    assert Client().get(detail).status_code == 404
    assert sent_tasks == []


def test_h4_a_safe_incoming_request_id_is_kept(editor):
    response = _failing_publish(editor, HTTP_X_REQUEST_ID="lb-7f3a.2026_11")
    assert response["X-Request-ID"] == "lb-7f3a.2026_11"
    assert json.loads(response.content)["request_id"] == "lb-7f3a.2026_11"


@pytest.mark.parametrize(
    "incoming", ["", "a" * 65, "abc def", "abc\\ndef", "<script>", "id;rm -rf", "ü"]
)
def test_h4_an_unsafe_incoming_request_id_is_replaced(incoming):
    response = Client().get("/api/v1/sections/", HTTP_X_REQUEST_ID=incoming)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@pytest.mark.parametrize(
    "url", ["/api/v1/sections/", "/api/v1/articles/tidak-ada/", "/api/v1/nope/", "/admin/"]
)
def test_h4_every_response_has_a_request_id(url):
    first, second = Client().get(url), Client().get(url)
    assert re.fullmatch(r"[0-9a-f]{32}", first["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [("get", "/api/v1/articles/?status=draft", 400),  # DRF's exception handler
     ("get", "/api/v1/articles/tidak-ada/", 404),
     ("get", "/api/v1/nope/", 404),  # no route: handler404
     ("post", "/api/v1/articles/", 405),
     ("get", ARTICLES_URL, 401)],
)  # fmt: skip
def test_h4_4xx_bodies_carry_the_request_id(method, url, status):
    response = getattr(Client(), method)(url, HTTP_X_REQUEST_ID="lb-4xx")
    assert error_of(response, status)
    assert json.loads(response.content)["request_id"] == "lb-4xx"


def test_h4_a_write_api_4xx_carries_the_request_id(writer, draft):
    response = token_client(writer).patch(article_url(draft), {"dek": "x"}, format="json")
    assert error_of(response, 428)
    assert re.fullmatch(r"[0-9a-f]{32}", json.loads(response.content)["request_id"])


def test_h4_djangos_own_refusals_carry_the_request_id():
    response = Client().get("/api/v1/articles/", HTTP_HOST="evil.example")
    assert error_of(response, 400)["code"] == "disallowed_host"
    assert json.loads(response.content)["request_id"] == response["X-Request-ID"]


def test_h4_the_500_handler_carries_the_request_id(rf):
    from newsroom.http.errors import api_server_error  # after DRF's settings circular otherwise

    request = rf.get("/api/v1/articles/")
    request.request_id = "abc123"
    body = json.loads(api_server_error(request).content)
    assert body == {
        "error": {"code": "server_error", "message": "Internal server error."},
        "request_id": "abc123",
    }


def test_h4_request_id_is_a_required_documented_field_of_the_error_schema():
    from newsroom.api.schema import ERROR_SCHEMA

    assert "request_id" in ERROR_SCHEMA["properties"]
    assert ERROR_SCHEMA["required"] == ["error", "request_id"]
