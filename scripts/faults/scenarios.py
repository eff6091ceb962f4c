"""The fault injection scenarios: each injects one fault into the running stack and checks
what docs/reliability.md expects of it."""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from collections import Counter
from datetime import timedelta

from scripts.faults.checks import (
    JOB_STUCK_AFTER_SECONDS,
    JOB_SWEEP_SECONDS,
    PG,
    RUNNER_APP_NAME,
    Evidence,
    check_deliveries,
    check_renditions,
    deliveries_complete,
    jobs_settled,
    make_photos,
    publish_articles,
    queue_depths,
    renditions_complete,
    renditions_state,
    schedule_articles,
    spec_count,
)
from scripts.faults.stack import Stack, wait_until

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
            and jobs_settled()
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
            and jobs_settled()
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
            and jobs_settled()
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
