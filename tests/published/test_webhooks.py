"""Webhooks: URL safety, signatures, the outbox on publish, and single delivery attempts."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from articles.published.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from articles.published.webhook_urls import validate_webhook_url, webhook_url_addresses
from articles.published.webhooks import (
    webhook_backoff_seconds,
    webhook_delivery_attempt,
    webhook_event_emit,
    webhook_sign,
)
from articles.services import article_publish, article_unpublish
from tests.support.factories import ArticleFactory
from tests.support.webhooks import make_delivery

pytestmark = pytest.mark.django_db


# --- URL safety (docs/reliability.md G3) ----------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:5432/",
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.1.20/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://metadata.google.internal/",
        "https://rebound.example.org/",
        "https://[::1]/hook",
        "https://[::ffff:7f00:1]:7777/",
        "https://[fe80::1]/",
        "https://0.0.0.0/",
        "file:///etc/passwd",
        "gopher://hooks.example.org/",
        "https://user:pass@hooks.example.org/",
        "https://no-such-host.invalid/",
        "https://hooks.example.org:99999/",
    ],
)
def test_unsafe_urls_are_refused(fake_dns, settings, url):
    settings.WEBHOOK_ALLOW_HTTP = True
    with pytest.raises(ValidationError) as caught:
        validate_webhook_url(url)
    assert caught.value.code == "url_not_allowed"


def test_public_https_url_is_accepted(fake_dns):
    host, port, addresses = webhook_url_addresses("https://hooks.example.org/purge")
    assert (host, port, [str(a) for a in addresses]) == (
        "hooks.example.org",
        443,
        ["93.184.215.14"],
    )


def test_http_is_refused_unless_allowed(fake_dns, settings):
    settings.WEBHOOK_ALLOW_HTTP = False
    with pytest.raises(ValidationError, match="https"):
        validate_webhook_url("http://hooks.example.org/")
    settings.WEBHOOK_ALLOW_HTTP = True
    validate_webhook_url("http://hooks.example.org/")


def test_allowed_networks_open_loopback_only(fake_dns, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    validate_webhook_url("https://127.0.0.1:8443/")
    validate_webhook_url("https://[::ffff:7f00:1]/")
    with pytest.raises(ValidationError):
        validate_webhook_url("https://10.0.0.1/")


def test_subscription_with_private_url_fails_full_clean(fake_dns):
    subscription = WebhookSubscription(name="front", url="https://10.0.0.5/hook")
    with pytest.raises(ValidationError) as caught:
        subscription.full_clean()
    assert "url" in caught.value.message_dict
    assert subscription.secret.startswith("whsec_")


# --- Signatures (Standard Webhooks) --------------------------------------------------------


def test_signature_matches_the_standard_webhooks_example():
    signature = webhook_sign(
        secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        msg_id="msg_p5jXN8AQM9LWM0D4loKWxJek",
        timestamp=1614265330,
        body=b'{"test": 2432232314}',
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_backoff_grows_with_jitter_and_is_capped(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    settings.WEBHOOK_RETRY_MAX_SECONDS = 3600
    assert 24 <= webhook_backoff_seconds(attempt=1) <= 36
    assert 96 <= webhook_backoff_seconds(attempt=3) <= 144
    assert 2880 <= webhook_backoff_seconds(attempt=12) <= 4320


# --- Emitting events (the outbox) ------------------------------------------------------------


@pytest.fixture
def subscription(settings):
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    return WebhookSubscription.objects.create(name="front", url="http://127.0.0.1:9/")


def test_publish_creates_one_delivery_per_subscription_sent_after_commit(
    editor, subscription, sent_tasks, django_capture_on_commit_callbacks
):
    WebhookSubscription.objects.create(name="off", url="http://127.0.0.1:9/", is_active=False)
    WebhookSubscription.objects.create(
        name="unpublish only", url="http://127.0.0.2:9/", events=["article.unpublished"]
    )
    article = ArticleFactory()

    with django_capture_on_commit_callbacks(execute=True):
        article_publish(article=article, user=editor)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.subscription, delivery.event_type, delivery.status) == (
        subscription,
        "article.published",
        "pending",
    )
    assert delivery.payload["data"]["id"] == article.pk
    assert delivery.payload["data"]["slug"] == article.slug
    assert sent_tasks == [("webhook_delivery_attempt_task", (delivery.pk,))]


def test_edit_and_unpublish_are_events_too(editor, subscription, sent_tasks):
    article = ArticleFactory()
    article_publish(article=article, user=editor)
    article.headline = "Corrected headline"
    article_publish(article=article, user=editor)
    article_unpublish(article=article, user=editor)

    assert list(WebhookDelivery.objects.order_by("id").values_list("event_type", flat=True)) == [
        "article.published",
        "article.updated",
        "article.unpublished",
    ]


def test_rolled_back_publish_creates_and_sends_nothing(
    editor, subscription, sent_tasks, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        article_publish(article=article, user=editor)
        raise RuntimeError("database error after the update")

    assert not WebhookDelivery.objects.exists()
    assert sent_tasks == []


def test_no_subscriptions_costs_one_query(django_assert_num_queries):
    article = ArticleFactory()
    # One query: the active subscriptions.
    with django_assert_num_queries(1):
        assert webhook_event_emit(event_type="article.published", article=article) == []


# --- One delivery attempt against a local receiver ------------------------------------------


def test_success_is_delivered_and_logged(receiver, sent_tasks):
    delivery = make_delivery(receiver.url)

    webhook_delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 1, 200)
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert (attempt.number, attempt.response_code, attempt.response_body, attempt.error) == (
        1,
        200,
        "ok",
        "",
    )
    headers = receiver.requests[0]["headers"]
    assert headers["Webhook-Id"] == "evt_1"
    assert headers["Content-Type"] == "application/json"
    assert json.loads(receiver.requests[0]["body"]) == delivery.payload
    assert sent_tasks == []


@pytest.mark.parametrize("receiver", [[(500, {}, b"x" * 5000)]], indirect=True)
def test_server_error_is_retried_later_and_only_1kb_is_kept(
    receiver, sent_tasks, django_capture_on_commit_callbacks
):
    delivery = make_delivery(receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        webhook_delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_code) == ("pending", 500)
    assert delivery.next_attempt_at > timezone.now()
    assert len(WebhookAttempt.objects.get().response_body) == 1024
    assert sent_tasks == [("webhook_delivery_attempt_task", (delivery.pk,))]


@pytest.mark.parametrize("receiver", [[(429, {"Retry-After": "600"}, b"")]], indirect=True)
def test_429_honours_retry_after(receiver, sent_tasks, settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 1
    delivery = make_delivery(receiver.url)

    webhook_delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert delivery.next_attempt_at >= timezone.now() + timedelta(seconds=590)


@pytest.mark.parametrize("receiver", [[(410, {}, b"gone")]], indirect=True)
def test_410_fails_and_disables_the_subscription(receiver, sent_tasks):
    delivery = make_delivery(receiver.url)

    webhook_delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    delivery.subscription.refresh_from_db()
    assert delivery.status == "failed"
    assert delivery.subscription.is_active is False
    assert "410" in delivery.subscription.disabled_reason


@pytest.mark.parametrize("receiver", [[(302, {}, b"")], [(404, {}, b"")]], indirect=True)
def test_redirects_and_client_errors_fail_without_retry(receiver, sent_tasks):
    delivery = make_delivery(receiver.url)

    webhook_delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert len(receiver.requests) == 1, "the redirect is not followed"
    assert sent_tasks == []


def test_unreachable_receiver_is_retried_until_the_limit(settings, sent_tasks):
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    delivery = make_delivery("http://127.0.0.1:9/")  # the discard port: refused

    webhook_delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    webhook_delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    assert delivery.last_error.startswith("Gave up: ConnectionRefusedError")
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == 2


def test_url_turned_private_is_refused_at_delivery(settings, sent_tasks):
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    delivery = make_delivery("http://127.0.0.1:9/")
    settings.WEBHOOK_ALLOWED_NETWORKS = []

    webhook_delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert "private or reserved" in delivery.last_error


def test_delivery_not_due_or_already_taken_is_left_alone(receiver, sent_tasks):
    later = make_delivery(receiver.url, next_attempt_at=timezone.now() + timedelta(minutes=5))
    assert webhook_delivery_attempt(delivery_id=later.pk) is None
    WebhookDelivery.objects.filter(pk=later.pk).update(
        status="sending", next_attempt_at=timezone.now()
    )
    assert webhook_delivery_attempt(delivery_id=later.pk) is None
    assert webhook_delivery_attempt(delivery_id=999999) is None
    assert receiver.requests == []


def test_broker_down_still_publishes_and_leaves_the_delivery_for_the_sweeper(
    editor, subscription, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from articles.published.tasks import webhook_delivery_attempt_task
    from articles.tasks import article_ensure_slug_task

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(webhook_delivery_attempt_task, "apply_async", broker_down)
    monkeypatch.setattr(article_ensure_slug_task, "delay", broker_down)
    article = ArticleFactory()

    with django_capture_on_commit_callbacks(execute=True):
        article_publish(article=article, user=editor)

    article.refresh_from_db()
    assert article.status == "published"
    assert WebhookDelivery.objects.get().status == "pending"
