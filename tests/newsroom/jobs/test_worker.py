"""Integration and fault tests against a REAL Celery worker process (not eager mode).

Run with `make test-worker`: DATABASE_URL must point at PostgreSQL and CELERY_BROKER_URL at
Redis. An unreachable Redis or PostgreSQL fails these tests; they are never skipped.

Each test starts `celery -A newsroom worker -B` (worker plus embedded beat) as a subprocess
on the test database (pytest-django's `test_<name>`), with the test's media folder, and
kills its whole process group at the end.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles.models import Article
from articles.photos.models import PhotoRendition
from articles.photos.renditions import rendition_specs
from articles.published.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from articles.services import article_publish
from newsroom.jobs.models import BackgroundJob
from tests.support import BASE_DIR
from tests.support.factories import ArticleFactory, PhotoFactory, image_upload
from tests.support.images import rotated_jpeg
from tests.support.webhooks import Receiver

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SPEC_COUNT = len(settings.PHOTO_RENDITIONS) * len(settings.PHOTO_RENDITION_FORMATS)


def wait_until(condition, *, timeout: float, interval: float = 0.1, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    if callable(message):
        message = message()
    raise AssertionError(f"Timed out after {timeout} s: {message}")


class Worker:
    """A Celery worker subprocess (prefork, one child) with beat, on the test database."""

    def __init__(self, *, tmp_path: Path, env: dict[str, str]) -> None:
        self.name = f"test-{uuid.uuid4().hex[:8]}@localhost"
        self.log_path = tmp_path / f"{self.name}.log"
        command = [
            sys.executable, "-m", "celery", "-A", "newsroom", "worker", "-B",
            "--loglevel", "info", "--pool", "prefork", "--concurrency", "1",
            "--hostname", self.name, "--schedule", str(tmp_path / f"beat-{self.name}"),
            "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - fixed command line
            command, cwd=BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        wait_until(
            lambda: "ready." in self.output() or self.process.poll() is not None,
            timeout=30,
            message="worker start",
        )
        assert self.process.poll() is None, f"worker died on start:\n{self.output()}"

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def children(self) -> list[int]:
        """The pool processes (the worker's children, excluding beat's)."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture
def broker():
    """The real Redis broker, emptied; fails (never skips) when Redis is unreachable."""
    url = settings.CELERY_BROKER_URL
    assert url.startswith("redis://"), f"worker tests need CELERY_BROKER_URL=redis://…, not {url}"
    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    client.ping()
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def worker_env(transactional_db, broker, settings, tmp_path):
    assert connection.vendor == "postgresql", "worker tests need DATABASE_URL=postgres://…"
    database = connection.settings_dict
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "NEWSROOM_VAR_DIR": str(tmp_path / "var"),
        "WEBHOOK_ALLOW_HTTP": "true",
        "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
        "WEBHOOK_RETRY_BASE_SECONDS": "1",
        "ARTICLE_PUBLISH_SWEEP_SECONDS": "1",
        "DATABASE_CONN_MAX_AGE": "0",
        # Redis hands a dead worker's unacknowledged message to another after this long.
        "CELERY_VISIBILITY_TIMEOUT": "5",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
    }
    return env


@pytest.fixture
def start_worker(worker_env, tmp_path):
    workers: list[Worker] = []

    def start() -> Worker:
        worker = Worker(tmp_path=tmp_path, env=worker_env)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.kill()


def rendition_count(photo_id: int) -> int:
    return PhotoRendition.objects.filter(photo_id=photo_id).count()


# --- Renditions ---------------------------------------------------------------------------


def test_uploaded_photo_gets_all_renditions_upright_and_without_gps(start_worker):
    start_worker()
    photo = PhotoFactory(image=image_upload(width=1200, height=800))
    rotated = PhotoFactory(
        image=SimpleUploadedFile("r.jpg", rotated_jpeg(width=800, height=400), "image/jpeg")
    )

    wait_until(
        lambda: (
            rendition_count(photo.pk) == SPEC_COUNT and rendition_count(rotated.pk) == SPEC_COUNT
        ),
        timeout=30,
        message="renditions",
    )

    assert set(PhotoRendition.objects.filter(photo=photo).values_list("spec", flat=True)) == {
        spec.name for spec in rendition_specs()
    }
    for rendition in PhotoRendition.objects.filter(photo=rotated):
        with rendition.file.open("rb") as file:
            image = Image.open(io.BytesIO(file.read()))
        assert not image.getexif().get_ifd(0x8825), "GPS must be gone"
        assert len(image.getexif()) == 0
        if rendition.spec.startswith("w"):
            assert image.height > image.width, "EXIF orientation applied"
    job = BackgroundJob.objects.get(kind="photo_renditions", object_id=rotated.pk)
    wait_until(lambda: BackgroundJob.objects.get(pk=job.pk).status == "done", timeout=10)


def test_corrupt_image_fails_visibly_without_endless_retry(start_worker):
    worker = start_worker()
    photo = PhotoFactory(image=image_upload(width=300, height=200))
    # Cut the stored file short, as a broken upload or a storage fault would.
    path = Path(photo.image.path)
    path.write_bytes(path.read_bytes()[:200])
    BackgroundJob.objects.filter(object_id=photo.pk).update(status="pending", attempts=0)
    from articles.photos.tasks import photo_renditions_generate_task

    photo_renditions_generate_task.delay(photo.pk)

    job = wait_until(
        lambda: BackgroundJob.objects.filter(object_id=photo.pk, status="failed").first(),
        timeout=20,
        message="failed job",
    )
    assert "cannot be read" in job.last_error
    time.sleep(2)
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("failed", 1), worker.output()[-2000:]
    assert rendition_count(photo.pk) == 0


def test_worker_killed_mid_rendition_then_new_worker_completes_without_duplicates(
    start_worker, tmp_path
):
    worker = start_worker()
    # Big enough that the job takes a while, so there is time to kill it part-way.
    photo = PhotoFactory(
        image=image_upload(width=5000, height=3500, fmt="PNG", name="big.png"),
    )
    wait_until(
        lambda: rendition_count(photo.pk) >= 1,
        timeout=30,
        interval=0.02,
        message="first rendition written",
    )
    children = worker.children()
    assert children, "the pool has a child process"
    for pid in children:
        os.kill(pid, signal.SIGKILL)
    worker.kill()
    made_before_kill = rendition_count(photo.pk)
    assert made_before_kill < SPEC_COUNT, "the kill came before the job finished"

    second = start_worker()

    wait_until(
        lambda: BackgroundJob.objects.filter(object_id=photo.pk, status="done").exists(),
        timeout=60,
        message=lambda: (
            f"job done after restart; {BackgroundJob.objects.get(object_id=photo.pk)}"
            f"\n{worker.output()[-3000:]}\n---\n{second.output()[-3000:]}"
        ),
    )
    assert rendition_count(photo.pk) == SPEC_COUNT
    job = BackgroundJob.objects.get(object_id=photo.pk)
    assert job.attempts >= 2
    files = list((Path(settings.MEDIA_ROOT) / "renditions" / str(photo.pk)).iterdir())
    assert sorted(f.name for f in files) == sorted(
        Path(name).name
        for name in PhotoRendition.objects.filter(photo=photo).values_list("file", flat=True)
    ), "one file per rendition, none left over"


# --- Fan-out of a rename -------------------------------------------------------------------


def test_a_tag_rename_on_many_articles_converges_after_a_worker_is_killed_midway(
    start_worker, worker_env, settings
):
    from articles.published.fanout import FANOUT_TAG
    from articles.published.models import PublishedArticle
    from tests.support.factories import TopicTagFactory

    for name, value in {"PUBLISHED_FANOUT_INLINE_LIMIT": 3, "PUBLISHED_FANOUT_BATCH": 2}.items():
        worker_env[name] = str(value)
        setattr(settings, name, value)
    tag = TopicTagFactory(name="Banjir")
    articles = [ArticleFactory(published=True, tags=[tag]) for _ in range(60)]
    worker = start_worker()

    tag.name = "Banjir Bandang"
    tag.save()  # commits: the job's message goes to Redis

    def job() -> BackgroundJob:
        return BackgroundJob.objects.get(kind=FANOUT_TAG, object_id=tag.pk)

    wait_until(lambda: job().done >= 2, timeout=30, interval=0.02, message="a first batch")
    for pid in worker.children():
        os.kill(pid, signal.SIGKILL)
    worker.kill()
    assert job().status == "running" and job().done < 60, "the kill came before the end"

    second = start_worker()
    wait_until(
        lambda: job().status == "done",
        timeout=60,
        message=lambda: f"{job()} {job().progress}\n{second.output()[-3000:]}",
    )
    assert (job().done, job().total) == (60, 60)
    documents = PublishedArticle.objects.filter(article__in=articles).values_list(
        "document", flat=True
    )
    assert all('"name":"Banjir Bandang"' in document for document in documents)


# --- Scheduled publishing -----------------------------------------------------------------


def test_article_scheduled_3_seconds_ahead_is_visible_in_the_api_within_5(start_worker, client):
    start_worker()
    due = timezone.now() + timedelta(seconds=3)
    article = ArticleFactory(status=Article.Status.SCHEDULED, published_at=due)
    detail = reverse("api:article-detail", kwargs={"slug": article.slug})
    assert client.get(detail).status_code == 404

    wait_until(
        lambda: client.get(detail).status_code == 200,
        timeout=(due + timedelta(seconds=5) - timezone.now()).total_seconds(),
        interval=0.2,
        message="scheduled article visible in the API",
    )
    live_at = timezone.now()
    assert client.get(detail).json()["slug"] == article.slug
    assert Article.objects.live().filter(pk=article.pk).exists()
    article.refresh_from_db()
    assert article.published_at == due
    assert live_at - due < timedelta(seconds=2)


def test_overdue_articles_are_published_on_worker_start(start_worker):
    now = timezone.now()
    late = [
        ArticleFactory(status=Article.Status.SCHEDULED, published_at=now - timedelta(hours=h))
        for h in (1, 3, 2)
    ]
    start_worker()

    wait_until(
        lambda: Article.objects.live().filter(pk__in=[a.pk for a in late]).count() == 3,
        timeout=10,
        message="catch-up",
    )
    # Published in publish-time order: the oldest first.
    order = list(
        Article.objects.filter(pk__in=[a.pk for a in late])
        .order_by("last_published_at")
        .values_list("pk", flat=True)
    )
    assert order == [late[1].pk, late[2].pk, late[0].pk]


def test_two_schedulers_publish_each_due_article_exactly_once(worker_env, tmp_path):
    """Two scheduler processes sweep the same due articles at the same moment."""
    WebhookSubscription.objects.create(name="front", url="http://127.0.0.1:9/")
    due = [
        ArticleFactory(
            status=Article.Status.SCHEDULED, published_at=timezone.now() - timedelta(minutes=m)
        )
        for m in range(1, 21)
    ]
    script = (
        "import django, json, sys, time; django.setup();"
        "from articles.services import articles_publish_due;"
        "start = float(sys.argv[1]);"
        "time.sleep(max(0, start - time.time()));"
        "print(json.dumps(articles_publish_due()))"
    )
    start = str(time.time() + 4)  # both processes have set up Django by then
    env = {**worker_env, "DJANGO_SETTINGS_MODULE": "newsroom.settings"}
    processes = [
        subprocess.Popen(  # noqa: S603 - fixed command line
            [sys.executable, "-c", script, start], cwd=BASE_DIR, env=env, stdout=subprocess.PIPE
        )
        for _ in range(2)
    ]
    results = [json.loads(process.communicate(timeout=60)[0]) for process in processes]

    published = results[0] + results[1]
    assert sorted(published) == sorted(article.pk for article in due), results
    assert len(set(published)) == 20, "no article published twice"
    assert Article.objects.filter(status="published").count() == 20
    # One article.published event per article, so front ends purge once.
    assert WebhookDelivery.objects.filter(event_type="article.published").count() == 20


# --- Webhooks -----------------------------------------------------------------------------


@pytest.fixture
def receiver_factory():
    receivers: list[Receiver] = []

    def make(statuses: list[int]) -> Receiver:
        receiver = Receiver([(status, {}, b"ok" if status == 200 else b"") for status in statuses])
        receivers.append(receiver)
        return receiver

    yield make
    for receiver in receivers:
        receiver.close()


def verify_signature(secret: str, headers: dict, body: bytes) -> bool:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['Webhook-Id']}.{headers['Webhook-Timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return headers["Webhook-Signature"] == f"v1,{expected}"


def publish_now(article: Article) -> None:
    # The editor persona's group does not survive transactional_db; publish as the scheduler.
    from django.contrib.auth.models import User

    user = User.objects.create_superuser("chief", "chief@example.org", "pw-chief-123")
    article_publish(article=article, user=user)


def test_webhook_reaches_receiver_with_valid_signature(start_worker, receiver_factory):
    start_worker()
    receiver = receiver_factory([])
    subscription = WebhookSubscription.objects.create(name="front", url=receiver.url)
    article = ArticleFactory()

    publish_now(article)

    wait_until(lambda: receiver.requests, timeout=15, message="webhook received")
    request = receiver.requests[0]
    assert verify_signature(subscription.secret, request["headers"], request["body"])
    assert abs(int(request["headers"]["Webhook-Timestamp"]) - time.time()) < 30
    payload = json.loads(request["body"])
    assert payload["type"] == "article.published"
    assert payload["data"]["id"] == article.pk and payload["data"]["slug"] == article.slug
    delivery = wait_until(
        lambda: WebhookDelivery.objects.filter(status="delivered").first(), timeout=5
    )
    assert delivery.event_id == request["headers"]["Webhook-Id"]


def test_receiver_failing_twice_then_succeeding_gets_one_success_and_three_attempts(
    start_worker, receiver_factory
):
    start_worker()
    receiver = receiver_factory([500, 503])
    WebhookSubscription.objects.create(name="front", url=receiver.url)

    publish_now(ArticleFactory())

    delivery = wait_until(
        lambda: WebhookDelivery.objects.filter(status="delivered").first(),
        timeout=30,
        message="delivered after retries",
    )
    attempts = list(
        WebhookAttempt.objects.filter(delivery=delivery).values_list("number", "response_code")
    )
    assert attempts == [(1, 500), (2, 503), (3, 200)]
    assert delivery.attempts == 3
    assert len(receiver.requests) == 3
    # The same event id on every attempt, so the receiver deduplicates.
    assert len({request["headers"]["Webhook-Id"] for request in receiver.requests}) == 1
    time.sleep(2)
    assert len(receiver.requests) == 3, "nothing is sent after the success"
