"""Fault injection's helpers: the stack's environment, its database, content made through
the ORM (after `django.setup()`), and the invariants each scenario checks."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from scripts.faults.stack import Sink, Stack

PG = "postgres://postgres@127.0.0.1:5432"
RUNNER_APP_NAME = "newsroom-faults-runner"
# Shortened intervals (docs/configuration.md); the scenarios' deadlines follow them.
JOB_SWEEP_SECONDS = 5
JOB_STUCK_AFTER_SECONDS = 20
WEBHOOK_TIMEOUT_SECONDS = 2
SINK_HANG_SECONDS = 4


class Evidence:
    """Lines printed under a scenario's verdict; `check` records a failure, keeps going."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.failures: list[str] = []

    def note(self, line: str) -> None:
        self.lines.append(line)

    def check(self, condition: bool, line: str) -> bool:
        self.lines.append(("ok    " if condition else "FAIL  ") + line)
        if not condition:
            self.failures.append(line)
        return condition


# --- Setup ----------------------------------------------------------------------------------


def build_env(*, workdir: Path, database_url: str, broker_url: str, web_port: int) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PGAPP")}
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=broker_url,
        NEWSROOM_VAR_DIR=str(workdir / "var"),
        MEDIA_ROOT=str(workdir / "media"),
        DEBUG="0",
        SECRET_KEY="faults-only-" + os.urandom(16).hex(),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"http://127.0.0.1:{web_port}",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        API_ANON_THROTTLE_RATE="100000/min",
        WEBHOOK_ALLOW_HTTP="1",
        WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8",
        WEBHOOK_TIMEOUT_SECONDS=str(WEBHOOK_TIMEOUT_SECONDS),
        # No backoff of our own, so a pause in the sink log can only come from Retry-After.
        WEBHOOK_RETRY_BASE_SECONDS="0",
        ARTICLE_PUBLISH_SWEEP_SECONDS="1",
        JOB_SWEEP_SECONDS=str(JOB_SWEEP_SECONDS),
        JOB_STUCK_AFTER_SECONDS=str(JOB_STUCK_AFTER_SECONDS),
        CELERY_VISIBILITY_TIMEOUT="10",
        CELERY_UNACKED_RESTORE_INTERVAL="1",
        CELERY_UNACKED_RESTORE_THROTTLE="1",
        PYTHONUNBUFFERED="1",
    )
    return env


def recreate_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


# --- Helpers on the database (imported after django.setup()) --------------------------------


def spec_count() -> int:
    from django.conf import settings

    return len(settings.PHOTO_RENDITIONS) * len(settings.PHOTO_RENDITION_FORMATS)


def make_photos(count: int, *, width: int, height: int) -> list[int]:
    from tests.support.factories import PhotoFactory, image_upload

    return [
        PhotoFactory(
            image=image_upload(width=width, height=height, fmt="PNG", name=f"fault{i}.png"),
            credit="Foto: Faults/Newsroom",
        ).pk
        for i in range(count)
    ]


def chief():
    from django.contrib.auth.models import User

    user = User.objects.filter(username="faults-chief").first()
    return user or User.objects.create_superuser("faults-chief", "chief@example.org", "x-Pw-9!")


def publish_articles(count: int, label: str) -> list[int]:
    from articles.services import article_publish
    from tests.support.factories import ArticleFactory

    ids = []
    for i in range(count):
        article = ArticleFactory(headline=f"{label} {i} BANDUNG")
        article_publish(article=article, user=chief())
        ids.append(article.pk)
    return ids


def schedule_articles(published_ats: list, label: str) -> list[int]:
    from articles.models import Article
    from tests.support.factories import ArticleFactory

    return [
        ArticleFactory(
            headline=f"{label} {i}", status=Article.Status.SCHEDULED, published_at=when
        ).pk
        for i, when in enumerate(published_ats)
    ]


def renditions_state(photo_ids: list[int]) -> dict:
    from articles.photos.models import PhotoRendition
    from newsroom.jobs.models import BackgroundJob

    jobs = Counter(
        BackgroundJob.objects.filter(kind="photo_renditions", object_id__in=photo_ids).values_list(
            "status", flat=True
        )
    )
    per_photo = Counter(
        PhotoRendition.objects.filter(photo_id__in=photo_ids).values_list("photo_id", flat=True)
    )
    return {"jobs": jobs, "per_photo": per_photo}


def renditions_complete(photo_ids: list[int]) -> bool:
    state = renditions_state(photo_ids)
    return state["jobs"].get("done", 0) == len(photo_ids) and all(
        state["per_photo"].get(pk) == spec_count() for pk in photo_ids
    )


def jobs_settled() -> bool:
    """No outbox job is pending or running: the renditions and the other kinds (related
    suggestions of the published articles) have all finished."""
    from newsroom.jobs.models import BackgroundJob

    return not BackgroundJob.objects.filter(status__in=["pending", "running"]).exists()


def check_renditions(ev: Evidence, photo_ids: list[int]) -> None:
    from django.conf import settings

    from articles.photos.models import PhotoRendition
    from newsroom.jobs.models import BackgroundJob

    state = renditions_state(photo_ids)
    ev.check(
        state["jobs"] == Counter({"done": len(photo_ids)}),
        f"rendition jobs of {len(photo_ids)} photos all done: {dict(state['jobs'])}",
    )
    pairs = Counter(
        PhotoRendition.objects.filter(photo_id__in=photo_ids).values_list("photo_id", "spec")
    )
    ev.check(
        len(pairs) == len(photo_ids) * spec_count() and set(pairs.values()) == {1},
        f"one rendition per (photo, spec): {len(pairs)} pairs, "
        f"{sum(pairs.values())} rows for {len(photo_ids)} x {spec_count()}",
    )
    media = Path(settings.MEDIA_ROOT)
    missing, stray = [], []
    for pk in photo_ids:
        names = set(PhotoRendition.objects.filter(photo_id=pk).values_list("file", flat=True))
        missing += [name for name in names if not (media / name).is_file()]
        folder = media / "renditions" / str(pk)
        on_disk = (
            {str(p.relative_to(media)) for p in folder.iterdir()} if folder.is_dir() else set()
        )
        stray += sorted(on_disk - names)
    ev.check(not missing, f"every rendition file exists ({len(missing)} missing)")
    ev.check(not stray, f"no leftover files beside the renditions: {stray[:5]}")
    running = BackgroundJob.objects.filter(status="running").count()
    ev.check(running == 0, f"no job left 'running' anywhere: {running}")


def deliveries_state(article_ids: list[int], path: str, sink: Sink) -> dict:
    from articles.published.models import WebhookDelivery

    rows = list(
        WebhookDelivery.objects.filter(
            payload__data__id__in=article_ids,
            subscription__url__endswith=path,
            event_type="article.published",
        ).values_list("payload__data__id", "event_id", "status")
    )
    delivered = [row for row in rows if row[2] == "delivered"]
    received = [e for e in sink.log(path) if e["article"] in article_ids and e["answer"] == 200]
    return {"rows": rows, "delivered": delivered, "received": received}


def deliveries_complete(article_ids: list[int], path: str, sink: Sink) -> bool:
    state = deliveries_state(article_ids, path, sink)
    return len(state["delivered"]) >= len(article_ids) and len(state["received"]) >= len(
        article_ids
    )


def check_deliveries(
    ev: Evidence, article_ids: list[int], path: str, sink: Sink, *, dedup: bool = False
) -> None:
    """Each event reached the sink once; with `dedup`, once after dropping repeated ids.

    A repeat is legitimate only when the attempt's outcome could not be recorded (its
    database connection was cut after the receiver answered): the sweeper sends it again
    with the same Webhook-Id, and receivers deduplicate on it.
    """
    state = deliveries_state(article_ids, path, sink)
    per_article = Counter(row[0] for row in state["rows"])
    ev.check(
        sorted(per_article) == sorted(article_ids) and set(per_article.values()) == {1},
        f"one article.published delivery row per article ({len(state['rows'])} rows, "
        f"{len(article_ids)} articles)",
    )
    ev.check(
        len(state["delivered"]) == len(article_ids),
        f"all delivered: {Counter(row[2] for row in state['rows'])}",
    )
    ids = Counter(e["webhook_id"] for e in state["received"])
    arts = Counter(e["article"] for e in state["received"])
    ids_per_article = Counter(
        article for article, _ in {(e["article"], e["webhook_id"]) for e in state["received"]}
    )
    repeats = len(state["received"]) - len(ids)
    once = set(ids.values()) == {1} and set(arts.values()) == {1}
    ev.check(
        len(ids) == len(article_ids) and set(ids_per_article.values()) == {1} and (once or dedup),
        f"sink got each event {'once after dedup by Webhook-Id' if dedup else 'exactly once'}"
        f" with 200: {len(state['received'])} successes, {len(ids)} distinct Webhook-Id, "
        f"one id per article: {set(ids_per_article.values()) == {1}}, repeats {repeats}",
    )
    known = {row[1] for row in state["rows"]}
    ev.check(set(ids) <= known, "every Webhook-Id at the sink is a recorded event id")


def queue_depths(stack: Stack) -> dict[str, int]:
    client = stack.redis_client()
    return {q: client.llen(q) for q in ("default", "media", "publishing", "delivery")}
