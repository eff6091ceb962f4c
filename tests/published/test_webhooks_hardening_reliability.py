"""docs/reliability.md A8, G3-G5 and the production hardening of issue 8 item 5 (tier U)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.published.models import WebhookDelivery, WebhookSubscription
from articles.published.webhook_urls import validate_webhook_url
from articles.published.webhooks import (
    SECRET_ROTATION_GRACE,
    webhook_delivery_attempt,
    webhook_secret_rotate,
)
from articles.services import article_preview_token, article_revision_record
from tests.support.api import assert_db_unchanged, error_of
from tests.support.factories import ArticleFactory
from tests.support.processes import production_env, run
from tests.support.webhooks import add_subscription, make_delivery

pytestmark = pytest.mark.django_db


# --- A8. Preview tokens ------------------------------------------------------------------------


def test_a8_preview_token_is_bound_to_article_revision_editor_and_time(api_client, editor, writer):
    article, other = ArticleFactory(headline="Draf rahasia"), ArticleFactory()
    revision = article_revision_record(article=article, user=editor, bump=False)
    token = article_preview_token(article=article, revision=revision, user=editor)
    assert api_client.get(f"/api/v1/preview/{token}/").status_code == 200

    # A revision of another article cannot be previewed through this one; a tampered
    # token is refused with no content.
    other_revision = article_revision_record(article=other, user=editor, bump=False)
    with pytest.raises(ValidationError):
        article_preview_token(article=article, revision=other_revision, user=editor)
    for bad in (token[:-2] + ("xx" if not token.endswith("xx") else "yy"), token + "0"):
        response = api_client.get(f"/api/v1/preview/{bad}/")
        assert error_of(response, 401)["code"] == "preview_token_invalid"
        assert b"Draf rahasia" not in response.content
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = api_client.get(f"/api/v1/preview/{token}/")
    assert error_of(response, 401)["code"] == "preview_token_invalid"
    assert b"Draf rahasia" not in response.content
    # Only editors make links.
    with pytest.raises(PermissionDenied):
        article_preview_token(article=article, revision=revision, user=writer)


# --- G3. Webhook URLs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:5432/",
        "https://metadata.google.internal/",
        "file:///etc/passwd",
        "gopher://hooks.example.org/",
        "https://rebound.example.org/",
        "https://169.254.169.254/latest/meta-data/",
    ],
)
def test_g3_non_public_webhook_urls_are_refused_url_not_allowed(fake_dns, settings, url):
    settings.WEBHOOK_ALLOW_HTTP = False
    with pytest.raises(ValidationError) as refused:
        validate_webhook_url(url)
    assert {error.code for error in refused.value.error_list} == {"url_not_allowed"}


def test_g3_registration_in_the_admin_is_a_form_error_and_saves_nothing(admin_client):
    with assert_db_unchanged():
        response = add_subscription(admin_client, "https://10.0.0.5/hook")
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["url"]
    assert not WebhookSubscription.objects.exists()


def test_g3_a_host_re_pointed_to_a_private_address_is_refused_at_delivery(fake_dns, sent_tasks):
    delivery = make_delivery("https://rebound.example.org/hook")
    webhook_delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.response_code is None
    assert sent_tasks == []


# --- G4. Signatures --------------------------------------------------------------------------


def test_g4_deliveries_carry_standard_webhooks_id_timestamp_and_signature(receiver, sent_tasks):
    delivery = make_delivery(receiver.url)
    secret = delivery.subscription.secret

    webhook_delivery_attempt(delivery_id=delivery.pk)

    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    assert headers["Webhook-Id"] == delivery.event_id
    timestamp = int(headers["Webhook-Timestamp"])
    assert abs(time.time() - timestamp) < 300
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{delivery.event_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["Webhook-Signature"] == f"v1,{expected}"
    assert json.loads(body) == delivery.payload


def verifying_secrets(request: dict, *secrets: str) -> set[str]:
    """Which of `secrets` sign `request`, checked as a Standard Webhooks receiver does."""
    headers, body = request["headers"], request["body"]
    signed = f"{headers['Webhook-Id']}.{headers['Webhook-Timestamp']}.".encode() + body
    signatures = {part.removeprefix("v1,") for part in headers["Webhook-Signature"].split(" ")}
    return {
        secret
        for secret in secrets
        if base64.b64encode(
            hmac.new(
                base64.b64decode(secret.removeprefix("whsec_")), signed, hashlib.sha256
            ).digest()
        ).decode()
        in signatures
    }


def test_g4_after_rotation_both_secrets_sign_until_the_grace_period_ends(receiver, sent_tasks):
    delivery = make_delivery(receiver.url)
    subscription = delivery.subscription
    old_secret = subscription.secret
    webhook_secret_rotate(subscription=subscription)
    new_secret = subscription.secret
    assert new_secret != old_secret and new_secret.startswith("whsec_")

    webhook_delivery_attempt(delivery_id=delivery.pk)
    [during] = receiver.requests
    assert len(during["headers"]["Webhook-Signature"].split(" ")) == 2
    assert verifying_secrets(during, old_secret, new_secret) == {old_secret, new_secret}

    later = WebhookDelivery.objects.create(
        subscription=subscription, event_id="evt_2", event_type="article.updated", payload={}
    )
    with time_machine.travel(timezone.now() + SECRET_ROTATION_GRACE + timedelta(minutes=1)):
        webhook_delivery_attempt(delivery_id=later.pk)
    after = receiver.requests[1]
    assert after["headers"]["Webhook-Id"] == "evt_2"
    assert len(after["headers"]["Webhook-Signature"].split(" ")) == 1
    assert verifying_secrets(after, old_secret, new_secret) == {new_secret}


def test_g4_admin_rotate_action_keeps_the_old_secret_for_the_grace_period(admin_client):
    subscription = WebhookSubscription.objects.create(
        name="front", url="https://hooks.example.org/"
    )
    old_secret = subscription.secret
    response = admin_client.post(
        reverse("admin:published_webhooksubscription_changelist"),
        {"action": "rotate_secrets", "_selected_action": [subscription.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 secret rotated" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.previous_secret == old_secret
    assert subscription.secret not in ("", old_secret)
    assert subscription.secret_rotated_at is not None


def test_g4_rotation_needs_the_change_permission(client, editor):
    subscription = WebhookSubscription.objects.create(
        name="front", url="https://hooks.example.org/"
    )
    editor.user_permissions.add(Permission.objects.get(codename="view_webhooksubscription"))
    client.force_login(editor)
    before = list(WebhookSubscription.objects.values_list())
    with assert_db_unchanged():
        response = client.post(
            reverse("admin:published_webhooksubscription_changelist"),
            {"action": "rotate_secrets", "_selected_action": [subscription.pk]},
            follow=True,
        )
    # The action is not offered to a viewer: the changelist answers without applying it.
    assert response.status_code == 200
    assert "rotate_secrets" not in response.content.decode()
    assert list(WebhookSubscription.objects.values_list()) == before


# --- G5. Retry policy ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("receiver", "status", "retried"),
    [
        ([(500, {}, b"")], "pending", True),
        ([(429, {"Retry-After": "120"}, b"")], "pending", True),
        ([(404, {}, b"")], "failed", False),
        ([(410, {}, b"")], "failed", False),
    ],
    indirect=["receiver"],
)
def test_g5_retry_on_5xx_and_429_fail_on_other_4xx_disable_on_410(
    receiver, sent_tasks, settings, django_capture_on_commit_callbacks, status, retried
):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 1
    delivery = make_delivery(receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        webhook_delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    delivery.subscription.refresh_from_db()
    assert delivery.status == status
    assert delivery.attempts == delivery.attempt_log.count() == 1
    assert bool(sent_tasks) == retried
    assert delivery.subscription.is_active is (delivery.response_code != 410)
    if delivery.response_code == 429:
        assert delivery.next_attempt_at >= timezone.now() + timedelta(seconds=110)


def test_g5_about_ten_attempts_over_hours(settings):
    from articles.published.webhooks import webhook_backoff_seconds

    assert settings.WEBHOOK_MAX_ATTEMPTS == 10
    total = sum(webhook_backoff_seconds(attempt=n) for n in range(1, settings.WEBHOOK_MAX_ATTEMPTS))
    assert 2 * 3600 < total < 12 * 3600


# --- Issue 8 item 5: production hardening --------------------------------------------------

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@pytest.mark.parametrize("url", ["/api/v1/articles/", "/api/v1/nope/", "/admin/login/"])
def test_security_headers_on_api_and_admin_answers(url):
    response = Client().get(url)
    for name, value in SECURITY_HEADERS.items():
        assert response[name] == value, name


def test_hsts_is_sent_over_https_with_production_settings(settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = Client().get("/api/v1/articles/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_production_settings_enable_hsts_and_secure_cookies(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SAMESITE)"
    )
    env = {**production_env(tmp_path), "DJANGO_SETTINGS_MODULE": "newsroom.settings"}
    result = run(["-c", f"import django; django.setup(); {code}"], env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["31536000", "True", "True", "True", "Lax"]
