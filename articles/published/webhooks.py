"""Webhooks to front ends: signed JSON events about articles, retried with backoff.

Pipeline: a service emits an event inside its transaction, which writes one
`WebhookDelivery` row per interested subscription (an outbox); after the commit each row's id
is put on the `delivery` queue. `webhook_delivery_attempt` makes one HTTP attempt, logs it
as a `WebhookAttempt`, and either finishes the delivery or schedules the next attempt.

Signatures follow Standard Webhooks: headers `Webhook-Id` (stable per event, so receivers
deduplicate), `Webhook-Timestamp` (Unix seconds; receivers refuse ones older than 5 minutes)
and `Webhook-Signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed with the
base64-decoded part of the "whsec_…" secret. For 24 hours after a secret rotation
(`webhook_secret_rotate`) each message carries two space-separated signatures, one with the
new secret and one with the previous, so receivers can switch secrets at their own pace.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import random
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from articles.models import Article
from articles.published.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
    webhook_secret_default,
)
from articles.published.webhook_urls import pinned_connection
from newsroom.jobs.services import SWEEP_BATCH

RESPONSE_KEEP_BYTES = 1024
USER_AGENT = "newsroom-webhooks/1"
# How long the previous secret still signs messages after a rotation.
SECRET_ROTATION_GRACE = timedelta(hours=24)


def webhook_payload(*, event_type: str, article: Article) -> dict:
    """The JSON body of an event: enough for a front end to purge or refetch the article."""
    return {
        "type": event_type,
        "timestamp": timezone.now().isoformat(),
        "data": {
            "id": article.pk,
            "slug": article.slug,
            "headline": article.headline,
            "status": article.status,
            "published_at": article.published_at.isoformat() if article.published_at else None,
            "url": article.public_url if article.slug else None,
        },
    }


def webhook_event_emit(*, event_type: str, article: Article) -> list[WebhookDelivery]:
    """Create one delivery per active subscription that wants `event_type`; send after commit.

    Call it inside the transaction that made the change: the rows commit or roll back with
    it, and no message is sent for a change that never happened (docs/reliability.md H5). One
    query for the subscriptions, one bulk insert. Services do not call it for articles:
    `articles.published.published_notify` decides what subscribers may hear (nothing about
    an article readers cannot see yet).
    """
    return webhook_events_emit(events=[(event_type, article)])


def webhook_events_emit(*, events: list[tuple[str, Article]]) -> list[WebhookDelivery]:
    """`webhook_event_emit` for several (event type, article) pairs: one query for the
    subscriptions and one bulk insert for all of them."""
    if not events:
        return []
    subscriptions = list(WebhookSubscription.objects.filter(is_active=True))
    deliveries = []
    for event_type, article in events:
        wanting = [s for s in subscriptions if not s.events or event_type in s.events]
        if not wanting:
            continue
        event_id = f"evt_{uuid.uuid4().hex}"
        payload = webhook_payload(event_type=event_type, article=article)
        deliveries += [
            WebhookDelivery(
                subscription=subscription,
                event_id=event_id,
                event_type=event_type,
                payload=payload,
            )
            for subscription in wanting
        ]
    if not deliveries:
        return []
    deliveries = WebhookDelivery.objects.bulk_create(deliveries)
    ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: webhook_deliveries_enqueue(delivery_ids=ids), robust=True)
    return deliveries


def webhook_deliveries_enqueue(*, delivery_ids: list[int], countdown: float = 0) -> None:
    from articles.published.tasks import webhook_delivery_attempt_task

    for delivery_id in delivery_ids:
        webhook_delivery_attempt_task.apply_async((delivery_id,), countdown=countdown)


def webhook_deliveries_sweep(now: datetime) -> int:
    """Re-send deliveries whose message was lost: sending ones older than
    `JOB_STUCK_AFTER_SECONDS` (their worker died) and pending ones a minute overdue. The
    outbox sweeper (`newsroom.jobs.services.jobs_sweep`) calls it; returns the deliveries
    sent, at most `SWEEP_BATCH`.
    """
    stuck_before = now - timedelta(seconds=settings.JOB_STUCK_AFTER_SECONDS)
    Delivery = WebhookDelivery.Status
    stuck = list(
        WebhookDelivery.objects.filter(
            status=Delivery.SENDING, claimed_at__lt=stuck_before
        ).values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    WebhookDelivery.objects.filter(pk__in=stuck, status=Delivery.SENDING).update(
        status=Delivery.PENDING, claimed_at=None
    )
    overdue = list(
        WebhookDelivery.objects.filter(
            status=Delivery.PENDING, next_attempt_at__lte=now - timedelta(minutes=1)
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    WebhookDelivery.objects.filter(pk__in=overdue, status=Delivery.PENDING).update(
        next_attempt_at=now
    )
    webhook_deliveries_enqueue(delivery_ids=overdue)
    return len(overdue)


def webhook_sign(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `Webhook-Signature` header value for one message."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def webhook_signature_header(
    *, subscription: WebhookSubscription, msg_id: str, timestamp: int, body: bytes
) -> str:
    """`Webhook-Signature`: one `v1,` signature per live secret, separated by spaces.

    The previous secret still signs during `SECRET_ROTATION_GRACE` after a rotation.
    """
    live_secrets = [subscription.secret]
    rotated_at = subscription.secret_rotated_at
    if (
        subscription.previous_secret
        and rotated_at
        and timezone.now() < rotated_at + SECRET_ROTATION_GRACE
    ):
        live_secrets.append(subscription.previous_secret)
    return " ".join(
        webhook_sign(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body)
        for secret in live_secrets
    )


def webhook_secret_rotate(*, subscription: WebhookSubscription) -> WebhookSubscription:
    """Give `subscription` a new secret; the current one keeps signing during the grace period.

    Rotating again within the grace period drops the oldest secret: at most two sign.
    """
    subscription.previous_secret = subscription.secret
    subscription.secret = webhook_secret_default()
    subscription.secret_rotated_at = timezone.now()
    subscription.save(update_fields=["previous_secret", "secret", "secret_rotated_at"])
    return subscription


@dataclass
class HttpResult:
    status: int | None
    body: str
    error: str
    retry_after: float | None
    # The URL itself is refused (not allowed, subscription off): retrying cannot help.
    refused: bool = False


def webhook_post(*, url: str, body: bytes, headers: dict[str, str]) -> HttpResult:
    """POST `body` to `url`, connecting only to the address that passed validation.

    The host is resolved and checked once, and the socket is opened to that very address,
    so a DNS answer that changes between check and connect (rebinding) cannot reach a
    private address. Redirects are never followed; both connect and read time out.
    """
    try:
        connection, path = pinned_connection(url, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    except ValidationError as exc:
        return HttpResult(None, "", "; ".join(exc.messages), None, refused=True)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read(RESPONSE_KEEP_BYTES).decode("utf-8", "replace")
        return HttpResult(
            response.status, content, "", _retry_after(response.getheader("Retry-After"))
        )
    except (OSError, http.client.HTTPException) as exc:
        return HttpResult(None, "", f"{type(exc).__name__}: {exc}"[:1000], None)
    finally:
        connection.close()


def webhook_delivery_attempt(*, delivery_id: int) -> WebhookDelivery | None:
    """Make one attempt of a delivery, if it is due and not taken; log it; plan the next.

    Claimed with a conditional UPDATE (pending -> sending), so two workers holding the same
    message send it once; a worker that dies while sending leaves it "sending", and the
    sweeper hands it back after `JOB_STUCK_AFTER_SECONDS`. Outcomes: 2xx delivered; 5xx,
    429, timeouts and connection errors retried with exponential backoff and jitter
    (honouring `Retry-After`) up to `WEBHOOK_MAX_ATTEMPTS`; 410 disables the subscription;
    other answers fail at once. Returns the delivery, or None when there was nothing to do.
    """
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
    ).update(status=WebhookDelivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    subscription = delivery.subscription
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Webhook-Id": delivery.event_id,
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": webhook_signature_header(
            subscription=subscription, msg_id=delivery.event_id, timestamp=timestamp, body=body
        ),
    }
    started = time.monotonic()
    if subscription.is_active:
        result = webhook_post(url=subscription.url, body=body, headers=headers)
    else:
        result = HttpResult(None, "", "The subscription is disabled.", None, refused=True)
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        response_code=result.status,
        response_body=result.body,
        error=result.error,
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    _record_outcome(delivery=delivery, result=result)
    return delivery


def webhook_delivery_retry(*, delivery: WebhookDelivery) -> None:
    """Send a failed delivery again from scratch (the admin's "retry" action)."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        last_error="",
    )
    transaction.on_commit(
        lambda: webhook_deliveries_enqueue(delivery_ids=[delivery.pk]), robust=True
    )


def webhook_deliveries_failed(*, limit: int = 5, count_up_to: int = 100):
    """The deliveries given up on: how many, counted up to `count_up_to` so a pile of
    failures costs no full count, and the `limit` newest with their subscription. Two
    queries."""
    failed = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.FAILED)
    count = failed.order_by()[:count_up_to].count()
    return count, list(failed.select_related("subscription").order_by("-created_at", "-id")[:limit])


def webhook_backoff_seconds(*, attempt: int) -> float:
    """Delay before attempt `attempt + 1`: base * 2^(attempt-1), capped, with ±20 % jitter."""
    base = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(0, attempt - 1)
    delay = min(base, settings.WEBHOOK_RETRY_MAX_SECONDS)
    # Jitter spreads retries of many deliveries to one recovering receiver.
    return delay * random.uniform(0.8, 1.2)  # noqa: S311 (not cryptographic)


def _record_outcome(*, delivery: WebhookDelivery, result: HttpResult) -> None:
    Status = WebhookDelivery.Status
    fields: dict = {"response_code": result.status, "claimed_at": None}
    status = result.status
    if status is not None and 200 <= status < 300:
        fields.update(status=Status.DELIVERED, delivered_at=timezone.now(), last_error="")
    elif result.refused:
        fields.update(status=Status.FAILED, last_error=result.error)
    elif status == 410:
        fields.update(status=Status.FAILED, last_error="The receiver answered 410 Gone.")
        WebhookSubscription.objects.filter(pk=delivery.subscription_id).update(
            is_active=False, disabled_reason="The receiver answered 410 Gone."
        )
    elif status is None or status == 429 or status >= 500:
        error = result.error or f"The receiver answered {status}."
        if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            fields.update(status=Status.FAILED, last_error=f"Gave up: {error}")
        else:
            delay = webhook_backoff_seconds(attempt=delivery.attempts)
            if result.retry_after is not None:
                delay = max(delay, min(result.retry_after, settings.WEBHOOK_RETRY_MAX_SECONDS))
            fields.update(
                status=Status.PENDING,
                last_error=error,
                next_attempt_at=timezone.now() + timedelta(seconds=delay),
            )
            transaction.on_commit(
                lambda: webhook_deliveries_enqueue(delivery_ids=[delivery.pk], countdown=delay),
                robust=True,
            )
    else:
        fields.update(status=Status.FAILED, last_error=f"The receiver answered {status}.")
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    for name, value in fields.items():
        setattr(delivery, name, value)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - timezone.now()).total_seconds())
