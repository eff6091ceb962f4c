"""Write API tokens (`tokens`): only a digest stored, constant-time comparison, expiry, the
last use recorded at most once a minute, made once and revoked in the admin, and the
conversion of Django REST framework's plain-text keys (docs/reliability.md B6)."""

from __future__ import annotations

import hashlib
import hmac
import importlib
import io
from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from newsroom.accounts.models import ApiToken
from newsroom.accounts.services import api_token_create
from tests.support.concurrency import postgresql_only, run_together
from tests.support.factories import ArticleFactory

pytestmark = pytest.mark.django_db

ARTICLES_URL = "/api/v1/manage/articles/"


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _stored_values() -> list[str]:
    return [str(value) for row in ApiToken.objects.values_list() for value in row]


# --- What is stored ------------------------------------------------------------------------


def test_only_a_digest_of_the_key_is_stored(writer, settings):
    token, key = api_token_create(user=writer, name="wire importer")

    assert key.startswith("nr_") and len(key) == 43
    assert token.prefix == key[:12]
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    assert not any(key in value for value in _stored_values())
    assert token.expires_at == token.created_at + timedelta(days=settings.API_TOKEN_MAX_AGE_DAYS)
    assert token.last_used_at is None


def test_a_key_is_compared_in_constant_time(writer):
    token, key = api_token_create(user=writer, name="wire importer")
    ArticleFactory(created_by=writer)

    with mock.patch(
        "newsroom.accounts.services.hmac.compare_digest", wraps=hmac.compare_digest
    ) as compare:
        response = _client(key).get(ARTICLES_URL)

    assert response.status_code == 200
    compare.assert_called_once_with(token.digest, hashlib.sha256(key.encode()).hexdigest())


def test_a_key_with_a_known_prefix_and_a_wrong_secret_is_401(writer):
    _, key = api_token_create(user=writer, name="wire importer")
    forged = key[:12] + ("A" if key[12] != "A" else "B") + key[13:]

    response = _client(forged).get(ARTICLES_URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"] == {"code": "not_authenticated", "message": "Invalid token."}


def test_a_revoked_token_is_401(writer):
    token, key = api_token_create(user=writer, name="wire importer")
    assert _client(key).get(ARTICLES_URL).status_code == 200

    token.delete()

    assert _client(key).get(ARTICLES_URL).status_code == 401


# --- Last use: recorded, but not written on every request ------------------------------------


def test_the_last_use_is_recorded_at_most_once_a_minute(writer, django_assert_num_queries):
    token, key = api_token_create(user=writer, name="wire importer")
    client = _client(key)
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        client.get(ARTICLES_URL)
    token.refresh_from_db()
    assert token.last_used_at == start

    # token with user, permissions (user, groups), articles (none): no UPDATE of the token
    with (
        time_machine.travel(start + timedelta(seconds=59), tick=False),
        django_assert_num_queries(4),
    ):
        client.get(ARTICLES_URL)
    token.refresh_from_db()
    assert token.last_used_at == start

    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        client.get(ARTICLES_URL)
    token.refresh_from_db()
    assert token.last_used_at == start + timedelta(seconds=61)


# --- Making one: bad input ---------------------------------------------------------------------


@pytest.mark.parametrize("days", [0, -1, 91])
def test_days_outside_1_to_the_maximum_are_refused(writer, days):
    with pytest.raises(ValidationError) as refused:
        api_token_create(user=writer, name="wire importer", days=days)

    assert refused.value.message_dict == {"days": ["Choose between 1 and 90 days."]}
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(("name", "field"), [("", "name"), ("  ", "name"), ("x" * 101, "name")])
def test_a_bad_name_is_refused(writer, name, field):
    with pytest.raises(ValidationError) as refused:
        api_token_create(user=writer, name=name)

    assert list(refused.value.message_dict) == [field]
    assert not ApiToken.objects.exists()


def test_a_users_token_names_are_unique_and_others_may_reuse_them(writer, editor):
    api_token_create(user=writer, name="wire importer")
    api_token_create(user=editor, name="wire importer")

    with pytest.raises(ValidationError) as refused:
        api_token_create(user=writer, name=" wire importer ")

    assert refused.value.message_dict == {"name": ["You already have a token with this name."]}
    assert ApiToken.objects.count() == 2


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_tokens_of_one_name_make_one_and_a_clear_refusal():
    user = User.objects.create_user(username="wira.writer", is_staff=True)
    outcomes = run_together(
        *[lambda: api_token_create(user=user, name="wire importer") for _ in range(4)]
    )

    errors = [outcome.error for outcome in outcomes if outcome.error is not None]
    assert len(errors) == 3
    for error in errors:
        assert isinstance(error, ValidationError), repr(error)
        assert error.message_dict == {"name": ["You already have a token with this name."]}
    assert ApiToken.objects.filter(user=user, name="wire importer").count() == 1


# --- The management command --------------------------------------------------------------------


def _command(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token_create", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_the_command_prints_only_the_key_and_replace_revokes_the_old_one(writer):
    key, note = _command("wira.writer", "--name", "curl", "--days", "7")
    assert _client(key).get(ARTICLES_URL).status_code == 200
    assert "not shown again" in note and key not in note

    with pytest.raises(CommandError, match="already have a token with this name"):
        _command("wira.writer", "--name", "curl")
    new_key, _ = _command("wira.writer", "--name", "curl", "--replace")

    assert _client(key).get(ARTICLES_URL).status_code == 401
    assert _client(new_key).get(ARTICLES_URL).status_code == 200
    assert writer.api_tokens.count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [(("nobody", "--name", "x"), "No user"),
     (("wira.writer", "--name", "x", "--days", "400"), "between 1 and 90")],
)  # fmt: skip
def test_the_command_refuses_bad_input_clearly(writer, args, message):
    with pytest.raises(CommandError, match=message):
        _command(*args)
    assert not ApiToken.objects.exists()


# --- The admin ---------------------------------------------------------------------------------

CHANGELIST = reverse("admin:tokens_apitoken_changelist")
ADD = reverse("admin:tokens_apitoken_add")


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_make_a_token_in_the_admin_and_see_its_key_once(writer):
    client = _signed_in(writer)

    response = client.post(ADD, {"name": "wire importer", "days": "30"})

    assert response.status_code == 200
    key = response.context["key"]
    assert key in response.content.decode()
    token = writer.api_tokens.get()
    assert (token.name, token.prefix) == ("wire importer", key[:12])
    assert token.expires_at == token.created_at + timedelta(days=30)
    assert response["Cache-Control"].startswith("max-age=0")  # never_cache: not kept anywhere
    listing = client.get(CHANGELIST).content.decode()
    detail = client.get(reverse("admin:tokens_apitoken_change", args=[token.pk])).content.decode()
    assert key[:12] in listing and key not in listing and key not in detail
    assert _client(key).get(ARTICLES_URL).status_code == 200


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [({"name": "", "days": "30"}, "name", "This field is required."),
     ({"name": "x", "days": "91"}, "days", "Ensure this value is less than or equal to 90."),
     ({"name": "x", "days": "0"}, "days", "Ensure this value is greater than or equal to 1."),
     ({"name": "taken", "days": "30"}, "name", "You already have a token with this name.")],
)  # fmt: skip
def test_bad_input_in_the_admins_form_is_a_form_error(writer, data, field, message):
    api_token_create(user=writer, name="taken")

    response = _signed_in(writer).post(ADD, data)

    assert response.status_code == 400
    assert response.context["form"].errors == {field: [message]}
    assert writer.api_tokens.count() == 1


def test_staff_list_only_their_own_tokens_superusers_all(writer, editor):
    api_token_create(user=writer, name="mine")
    api_token_create(user=editor, name="theirs")
    admin_user = User.objects.create_superuser("admin", "admin@example.com", "x")

    def listed(user) -> set[str]:
        response = _signed_in(user).get(CHANGELIST)
        assert response.status_code == 200
        return {token.name for token in response.context["cl"].result_list}

    assert listed(writer) == {"mine"}
    assert listed(editor) == {"theirs"}
    assert listed(admin_user) == {"mine", "theirs"}


def test_the_list_shows_prefix_name_created_last_used_and_expiry(writer):
    token, key = api_token_create(user=writer, name="wire importer")
    _client(key).get(ARTICLES_URL)

    response = _signed_in(writer).get(CHANGELIST)

    page = response.content.decode()
    assert f"{token.prefix}…" in page and "wire importer" in page and "active" in page
    assert response.context["cl"].list_display[1:] == [
        "name", "prefix_shown", "user", "created_at", "last_used_at", "expires_at", "state"
    ]  # fmt: skip


def test_staff_revoke_their_tokens_and_not_anyone_elses(writer, editor):
    mine, my_key = api_token_create(user=writer, name="mine")
    theirs, their_key = api_token_create(user=editor, name="theirs")
    client = _signed_in(writer)

    response = client.post(
        CHANGELIST, {"action": "revoke_selected", "_selected_action": [mine.pk, theirs.pk]}
    )

    assert response.status_code == 302
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["theirs"]
    assert _client(my_key).get(ARTICLES_URL).status_code == 401
    assert _client(their_key).get(ARTICLES_URL).status_code == 200
    detail = client.get(reverse("admin:tokens_apitoken_change", args=[theirs.pk]))
    delete = client.post(reverse("admin:tokens_apitoken_delete", args=[theirs.pk]), {"post": "yes"})
    assert detail.status_code == delete.status_code == 302  # "doesn't exist": the admin's answer
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_tokens_cannot_be_edited(writer):
    token, _ = api_token_create(user=writer, name="mine")

    response = _signed_in(writer).post(
        reverse("admin:tokens_apitoken_change", args=[token.pk]), {"name": "renamed"}
    )

    assert response.status_code == 403
    token.refresh_from_db()
    assert token.name == "mine"


# --- Converting Django REST framework's plain-text tokens ----------------------------------------


def test_the_migration_converts_plain_text_keys_and_empties_the_old_table(writer, editor):
    """A database that had `rest_framework.authtoken`: its keys keep working, hashed."""
    created = timezone.now() - timedelta(days=10)
    old_key, expired_key = "0123456789abcdef0123456789abcdef01234567", "f" * 40
    datetime_type = "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"
    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE TABLE authtoken_token ("key" varchar(40) PRIMARY KEY, '
            f'"created" {datetime_type} NOT NULL, "user_id" integer NOT NULL UNIQUE)'
        )
        rows = [(old_key, created, writer), (expired_key, created - timedelta(days=90), editor)]
        for key, when, user in rows:
            value = when if connection.vendor == "postgresql" else when.replace(tzinfo=None)
            cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)", [key, value, user.pk])
    migration = importlib.import_module("newsroom.accounts.migrations.0002_convert_authtoken_keys")

    # The function uses only the schema editor's connection (its raw SQL).
    migration.convert_authtoken_keys(apps, SimpleNamespace(connection=connection))

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone() == (0,)
    token = writer.api_tokens.get()
    assert (token.name, token.prefix, token.created_at) == (
        "Converted authtoken",
        old_key[:12],
        created,
    )
    assert token.expires_at == created + timedelta(days=90)
    assert not any(old_key in value for value in _stored_values())
    assert _client(old_key).get(ARTICLES_URL).status_code == 200
    expired = _client(expired_key).get(ARTICLES_URL)
    assert expired.status_code == 401 and "expired" in expired.json()["error"]["message"]


def test_the_migration_has_nothing_to_do_without_the_old_table():
    migration = importlib.import_module("newsroom.accounts.migrations.0002_convert_authtoken_keys")
    # The function uses only the schema editor's connection (its raw SQL).
    migration.convert_authtoken_keys(apps, SimpleNamespace(connection=connection))
    assert not ApiToken.objects.exists()
