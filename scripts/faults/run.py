"""Fault injection (`make faults`): kill, restart or empty real processes mid-work, then check.

docs/reliability.md tier C (I1-I6, J1-J3, G5). Everything runs on 127.0.0.1 and is started here: a
private Redis on a free port, gunicorn, two Celery workers (prefork, all queues, the
production ack settings from newsroom/settings.py), beat, and a webhook sink thread. The
machine's PostgreSQL (127.0.0.1:5432, user postgres) gets a fresh database of our own,
`newsroom_faults` (FAULTS_DATABASE_NAME overrides). Each scenario seeds data through the
ORM in this process, injects its fault with os.kill / subprocess / SQL, checks database
invariants and the sink log under a deadline, and prints PASS or FAIL with the evidence.
Exit status 1 when any scenario fails; the whole run is bounded by FAULTS_MAX_SECONDS.

    .venv/bin/python scripts/faults/run.py [--only NAME ...] [--keep]

Logs of every process are under a temporary folder, printed (and kept) when a scenario fails.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from scripts.faults.stack import Sink, Stack, wait_until  # noqa: E402

PG = "postgres://postgres@127.0.0.1:5432"
RUNNER_APP_NAME = "newsroom-faults-runner"
# Shortened intervals (docs/configuration.md); the scenarios' deadlines follow them.
JOB_SWEEP_SECONDS = 5
JOB_STUCK_AFTER_SECONDS = 20
WEBHOOK_TIMEOUT_SECONDS = 2
SINK_HANG_SECONDS = 4


class Failed(Exception):
    pass


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
    from tests.factories import PhotoFactory, image_upload

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
    from tests.factories import ArticleFactory

    ids = []
    for i in range(count):
        article = ArticleFactory(headline=f"{label} {i} BANDUNG")
        article_publish(article=article, user=chief())
        ids.append(article.pk)
    return ids


def schedule_articles(published_ats: list, label: str) -> list[int]:
    from articles.models import Article
    from tests.factories import ArticleFactory

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


# --- Scenarios ------------------------------------------------------------------------------


def scenario_worker_sigkill(stack: Stack, ev: Evidence) -> None:
    """I1: SIGKILL the workers (pool children first) during renditions; a new worker finishes."""
    photo_ids = make_photos(6, width=4000, height=3000)
    started = wait_until(
        lambda: sum(renditions_state(photo_ids)["per_photo"].values()) >= 1,
        timeout=45,
        interval=0.05,
    )
    ev.check(bool(started), "renditions started before the kill")
    before = renditions_state(photo_ids)
    children = [pid for worker in stack.workers for pid in worker.children()]
    for pid in children:
        os.kill(pid, signal.SIGKILL)
    stack.stop_workers(signal.SIGKILL)
    ev.note(
        f"killed {len(children)} pool processes and their workers with "
        f"{sum(before['per_photo'].values())}/{len(photo_ids) * spec_count()} renditions "
        f"made; jobs {dict(before['jobs'])}"
    )
    ev.check(not renditions_complete(photo_ids), "the kill came before the work was complete")
    t0 = time.monotonic()
    stack.start_workers(2)
    done = wait_until(lambda: renditions_complete(photo_ids), timeout=120, interval=0.5)
    ev.check(bool(done), f"new workers completed the work in {time.monotonic() - t0:.1f} s")
    check_renditions(ev, photo_ids)


def scenario_redis_restart(stack: Stack, ev: Evidence) -> None:
    """I2, G5: work queued while workers are paused; Redis restarts (AOF on); drained."""
    pids = [w.pid for w in stack.workers]
    processes = stack.workers + stack.beats
    stack.pause(processes)
    try:
        photo_ids = make_photos(6, width=1600, height=1200)
        article_ids = publish_articles(10, "Redis restart")
        depths = queue_depths(stack)
        ev.note(f"queued while workers paused: {depths}")
        ev.check(depths["media"] + depths["delivery"] > 0, "messages were waiting in Redis")
        stack.stop_redis()
        stack.start_redis(appendonly=True)
        ev.note(f"Redis restarted with AOF; queues now {queue_depths(stack)}")
    finally:
        stack.resume(processes)
    t0 = time.monotonic()
    done = wait_until(
        lambda: (
            renditions_complete(photo_ids)
            and deliveries_complete(article_ids, "/hooks", stack.sink)
        ),
        timeout=60,
        interval=0.5,
    )
    ev.check(bool(done), f"drained {time.monotonic() - t0:.1f} s after the restart (limit 60)")
    ev.check(
        [w.pid for w in stack.workers] == pids and all(w.alive() for w in stack.workers),
        "the same worker processes did it (no manual restart)",
    )
    check_renditions(ev, photo_ids)
    check_deliveries(ev, article_ids, "/hooks", stack.sink)


def scenario_redis_flushed(stack: Stack, ev: Evidence) -> None:
    """I3: the broker loses every message (FLUSHALL); the sweeper re-sends from the outbox."""
    from newsroom.jobs.services import REQUEUE_PENDING_AFTER

    stack.stop_workers()
    created = time.monotonic()
    photo_ids = make_photos(4, width=1200, height=900)
    article_ids = publish_articles(5, "Redis flushed")
    ev.note(f"queued with no worker: {queue_depths(stack)}")
    stack.redis_client().flushall()
    ev.check(sum(queue_depths(stack).values()) == 0, "FLUSHALL emptied every queue")
    stack.start_workers(2)
    # Pending work is re-sent once it is REQUEUE_PENDING_AFTER old, deliveries once a minute
    # overdue; then within two sweep periods.
    limit = REQUEUE_PENDING_AFTER.total_seconds() + 2 * JOB_SWEEP_SECONDS + 10
    done = wait_until(
        lambda: (
            renditions_complete(photo_ids)
            and deliveries_complete(article_ids, "/hooks", stack.sink)
        ),
        timeout=max(1, limit - (time.monotonic() - created)),
        interval=1,
    )
    ev.check(
        bool(done),
        f"everything done {time.monotonic() - created:.0f} s after it was requested "
        f"(limit {limit:.0f} s: re-send threshold {REQUEUE_PENDING_AFTER.total_seconds():.0f}"
        f" s + 2 sweeps of {JOB_SWEEP_SECONDS} s)",
    )
    check_renditions(ev, photo_ids)
    check_deliveries(ev, article_ids, "/hooks", stack.sink)


def scenario_postgres_outage(stack: Stack, ev: Evidence) -> None:
    """I4: the app's PostgreSQL connections are cut again and again for 10 s."""
    import psycopg
    from django.conf import settings

    from newsroom.jobs.services import REQUEUE_PENDING_AFTER

    name = settings.DATABASES["default"]["NAME"]
    stop = threading.Event()
    kills = Counter()

    def killer() -> None:
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            while not stop.is_set():
                rows = conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s"
                    " AND pid <> pg_backend_pid() AND application_name <> %s",
                    [name, RUNNER_APP_NAME],
                ).fetchall()
                kills["backends"] += len(rows)
                kills["rounds"] += 1
                stop.wait(0.3)

    statuses: Counter = Counter()
    error_bodies: list[str] = []
    thread = threading.Thread(target=killer, daemon=True)
    created = time.monotonic()
    thread.start()
    try:
        outage_end = time.monotonic() + 10
        photo_ids: list[int] = []
        article_ids: list[int] = []
        while time.monotonic() < outage_end:
            if not photo_ids and time.monotonic() > outage_end - 8:
                photo_ids = make_photos(3, width=1200, height=900)
                article_ids = publish_articles(4, "Database outage")
            status, body = stack.get("/api/v1/articles/")
            statuses[status] += 1
            if status != 200 and not error_bodies:
                error_bodies.append(body[:120].replace("\n", " "))
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(timeout=10)
    ended = time.monotonic()
    ev.note(
        f"terminated {kills['backends']} backends in {kills['rounds']} rounds over 10 s; "
        f"API answers during: {dict(statuses)}"
    )
    if statuses.get(500):
        ev.note(
            "finding: the API answered 500 (docs/reliability.md I4 asks for a JSON 503) while"
            f" connections were cut; first error body: {error_bodies[:1]}"
        )
    recovered = wait_until(
        lambda: stack.get("/api/v1/articles/")[0] == 200, timeout=5, interval=0.1
    )
    ev.check(bool(recovered), f"API answered 200 {time.monotonic() - ended:.1f} s after")
    after = Counter(stack.get("/api/v1/articles/")[0] for _ in range(30))
    ev.check(after == Counter({200: 30}), f"the next 30 requests: {dict(after)}")
    limit = REQUEUE_PENDING_AFTER.total_seconds() + JOB_STUCK_AFTER_SECONDS + 3 * JOB_SWEEP_SECONDS
    done = wait_until(
        lambda: (
            renditions_complete(photo_ids)
            and deliveries_complete(article_ids, "/hooks", stack.sink)
        ),
        timeout=max(1, limit - (time.monotonic() - created)),
        interval=1,
    )
    ev.check(
        bool(done),
        f"work requested during the outage done {time.monotonic() - ended:.0f} s after it "
        f"(limit {limit:.0f} s from the request)",
    )
    check_renditions(ev, photo_ids)
    check_deliveries(ev, article_ids, "/hooks", stack.sink, dedup=True)
    ev.check(all(w.alive() for w in stack.workers), "workers still running (no restart)")


def published_transitions(article_ids: list[int]) -> list[tuple[int, object]]:
    from articles.models import ArticleTransition

    return list(
        ArticleTransition.objects.filter(article_id__in=article_ids, to_status="published")
        .order_by("id")
        .values_list("article_id", "created_at")
    )


def check_published_once(ev: Evidence, article_ids: list[int], stack: Stack) -> None:
    from articles.models import Article

    live = Article.objects.live().filter(pk__in=article_ids).count()
    ev.check(live == len(article_ids), f"{live}/{len(article_ids)} live")
    per_article = Counter(pk for pk, _ in published_transitions(article_ids))
    ev.check(
        len(per_article) == len(article_ids) and set(per_article.values()) == {1},
        f"one 'published' audit row per article: {sum(per_article.values())} rows",
    )
    wait_until(lambda: deliveries_complete(article_ids, "/hooks", stack.sink), timeout=30)
    check_deliveries(ev, article_ids, "/hooks", stack.sink)


def scenario_scheduler_down(stack: Stack, ev: Evidence) -> None:
    """J1: beat and workers were down for two hours; 20 articles came due meanwhile."""
    from django.utils import timezone

    from articles.models import Article

    stack.stop_beats()
    stack.stop_workers()
    base = timezone.now() - timedelta(hours=2)
    times = [base + timedelta(minutes=5 * i) for i in range(20)]
    random.shuffle(times)  # created in another order than they are due
    article_ids = schedule_articles(times, "Overdue")
    t0 = time.monotonic()
    stack.start_workers(2)
    stack.start_beat()
    done = wait_until(
        lambda: Article.objects.live().filter(pk__in=article_ids).count() == len(article_ids),
        timeout=60,
    )
    ev.check(bool(done), f"all 20 published {time.monotonic() - t0:.1f} s after start (limit 60)")
    due_order = list(
        Article.objects.filter(pk__in=article_ids)
        .order_by("published_at", "id")
        .values_list("pk", flat=True)
    )
    done_order = [pk for pk, _ in published_transitions(article_ids)]
    # Several workers publish side by side (skip_locked), so neighbours may commit in either
    # order; no article may go out more than (publishers - 1) places from its turn.
    publishers = 2 * 2
    displacement = max((abs(due_order.index(pk) - i) for i, pk in enumerate(done_order)), default=0)
    ev.check(
        displacement < publishers,
        f"published in publish-time order: max displacement {displacement} "
        f"(< {publishers} concurrent publishers)",
    )
    moved = Article.objects.filter(pk__in=article_ids).exclude(published_at__in=times).count()
    ev.check(moved == 0, "published_at kept as scheduled (two hours ago), not moved to now")
    check_published_once(ev, article_ids, stack)


def scenario_two_beats(stack: Stack, ev: Evidence) -> None:
    """J2, J3: two beats at once send every publish sweep twice; each article goes out once."""
    from django.utils import timezone

    from articles.models import Article

    if not stack.beats:
        stack.start_beat()
    stack.start_beat()
    ev.note(f"beats running: {[b.name for b in stack.beats if b.alive()]}")
    due = timezone.now() + timedelta(seconds=5)
    article_ids = schedule_articles([due] * 10 + [due + timedelta(seconds=1)] * 10, "Two beats")
    done = wait_until(
        lambda: Article.objects.live().filter(pk__in=article_ids).count() == len(article_ids),
        timeout=40,
    )
    ev.check(bool(done), "all 20 published")
    early = [
        pk
        for pk, at in published_transitions(article_ids)
        if at < Article.objects.get(pk=pk).published_at
    ]
    ev.check(not early, f"nothing published early: {early}")
    check_published_once(ev, article_ids, stack)
    extra = stack.beats.pop()
    extra.stop()


def scenario_webhook_receiver(stack: Stack, ev: Evidence) -> None:
    """G5, I6: the receiver fails twice, times out, answers 429 Retry-After: 2, then 200."""
    from articles.published.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

    path = "/flaky"
    stack.sink.script(path, [500, 500, "hang", (429, 2), 200])
    subscription = WebhookSubscription.objects.create(
        name="flaky front end", url=stack.sink.url(path), events=["article.published"]
    )
    try:
        [article_id] = publish_articles(1, "Flaky receiver")
        delivery = wait_until(
            lambda: WebhookDelivery.objects.filter(
                subscription=subscription, status="delivered"
            ).first(),
            timeout=60,
        )
        ev.check(delivery is not None, "delivered within 60 s")
        time.sleep(3)  # anything sent after the success would show up now
        log = stack.sink.log(path)
        answers = [e["answer"] for e in log]
        ev.note(f"sink answered, in order: {answers}")
        ev.check(answers == [500, 500, "hang", (429, 2), 200], "five attempts as scripted")
        ev.check(len({e["webhook_id"] for e in log}) == 1, "one Webhook-Id on every attempt")
        ev.check(sum(1 for a in answers if a == 200) == 1, "exactly one success")
        if len(log) == 5:
            gap = log[4]["at"] - log[3]["at"]
            ev.check(gap >= 1.9, f"Retry-After: 2 honoured: next attempt {gap:.2f} s later")
        rows = list(
            WebhookAttempt.objects.filter(delivery__subscription=subscription)
            .order_by("number")
            .values_list("number", "response_code", "error")
        )
        ev.note(f"attempts logged: {[(n, c, (e or '')[:40]) for n, c, e in rows]}")
        ev.check(
            [(n, c) for n, c, _ in rows] == [(1, 500), (2, 500), (3, None), (4, 429), (5, 200)],
            "attempts 1-5 logged with their answers",
        )
        ev.check(
            bool(rows) and len(rows) >= 3 and "timed out" in rows[2][2].lower(),
            "attempt 3 logged as a timeout",
        )
        if delivery:
            delivery.refresh_from_db()
            ev.check(
                delivery.attempts == 5 and delivery.payload["data"]["id"] == article_id,
                f"delivery: status {delivery.status}, {delivery.attempts} attempts",
            )
    finally:
        WebhookSubscription.objects.filter(pk=subscription.pk).update(is_active=False)


SCENARIOS = [
    ("worker-sigkill", "I1", scenario_worker_sigkill),
    ("redis-restart", "I2 G5", scenario_redis_restart),
    ("redis-flushed", "I3", scenario_redis_flushed),
    ("postgres-outage", "I4", scenario_postgres_outage),
    ("scheduler-down", "J1", scenario_scheduler_down),
    ("two-beats", "J2 J3", scenario_two_beats),
    ("webhook-receiver", "G5 I6", scenario_webhook_receiver),
]


def ensure_running(stack: Stack) -> None:
    """Each scenario starts from two live workers and one beat."""
    stack.workers = [w for w in stack.workers if w.alive()]
    if len(stack.workers) < 2:
        stack.start_workers(2 - len(stack.workers))
    stack.beats = [b for b in stack.beats if b.alive()]
    if not stack.beats:
        stack.start_beat()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", choices=[name for name, _, _ in SCENARIOS])
    parser.add_argument("--keep", action="store_true", help="keep logs and the database")
    args = parser.parse_args()
    if not shutil.which("redis-server"):
        print("FAIL: redis-server is not on PATH (Debian: apt-get install redis-server)")
        return 2
    max_seconds = int(os.environ.get("FAULTS_MAX_SECONDS", "720"))
    db_name = os.environ.get("FAULTS_DATABASE_NAME", "newsroom_faults")
    database_url = f"{PG}/{db_name}"
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-faults-"))
    started = time.monotonic()
    stack = Stack(workdir=workdir, database_url=database_url, env={})
    stack.env = build_env(
        workdir=workdir,
        database_url=database_url,
        broker_url=stack.broker_url,
        web_port=stack.web_port,
    )

    def watchdog() -> None:
        print(f"FAIL: the run passed its limit of {max_seconds} s; stopping everything.")
        stack.close()
        os._exit(3)

    timer = threading.Timer(max_seconds, watchdog)
    timer.daemon = True
    timer.start()
    results: list[tuple[str, str, bool]] = []
    failed = False
    try:
        recreate_database(db_name)
        migrate = subprocess.run(  # noqa: S603 - fixed command line
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=stack.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        if migrate.returncode:
            print(f"FAIL: migrate\n{migrate.stdout}\n{migrate.stderr}")
            return 1
        os.environ.update(stack.env)
        # Our own connections are spared when the I4 scenario cuts the app's.
        os.environ["PGAPPNAME"] = RUNNER_APP_NAME
        import django

        django.setup()
        from articles.published.models import WebhookSubscription

        stack.sink = Sink(hang_seconds=SINK_HANG_SECONDS)
        WebhookSubscription.objects.create(name="front end", url=stack.sink.url("/hooks"))
        stack.start_redis(appendonly=True)
        stack.start_web()
        ensure_running(stack)
        print(
            f"Stack up in {time.monotonic() - started:.0f} s: Redis :{stack.redis_port}, "
            f"gunicorn :{stack.web_port}, sink :{stack.sink.port}, database {db_name}; "
            f"logs in {stack.log_dir}"
        )
        for name, cases, scenario in SCENARIOS:
            if args.only and name not in args.only:
                continue
            ev = Evidence()
            t0 = time.monotonic()
            try:
                ensure_running(stack)
                scenario(stack, ev)
            except Exception:  # noqa: BLE001 - a crash is a failed scenario, with its trace
                ev.failures.append("crashed")
                ev.note("crashed:\n" + traceback.format_exc())
            ok = not ev.failures
            failed |= not ok
            verdict = "PASS" if ok else "FAIL"
            print(f"\n{verdict} {name} ({cases}) in {time.monotonic() - t0:.0f} s")
            for line in ev.lines:
                print(f"    {line}")
            results.append((name, cases, ok))
            sys.stdout.flush()
    finally:
        timer.cancel()
        stack.close()
        if failed or args.keep:
            print(f"\nProcess logs kept in {stack.log_dir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
        if not args.keep:
            try:
                from django.db import connections

                connections.close_all()
            except Exception:  # noqa: BLE001, S110 - Django may not be set up
                pass
            drop_database(db_name)
    passed = sum(1 for _, _, ok in results if ok)
    print(f"\nFault injection took {time.monotonic() - started:.0f} s.")
    print(f"faults: {passed} passed, {len(results) - passed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
