"""Background work: Celery, its queues and schedule, renditions, fan-out, webhooks."""

from __future__ import annotations

import os

from newsroom.settings.core import DEBUG, TIME_ZONE
from newsroom.settings.environment import VAR_DIR, envbool, envint, envlist

# --- Celery -------------------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# The default broker keeps messages in files under ./var/broker, so `make run` needs no
# server; CELERY_BROKER_URL=redis://… (or amqp://…) switches to a real broker. The database
# is the source of truth for all background work (outbox rows, scheduled articles); the
# broker only carries hints, and a sweeper re-enqueues whatever a lost message left behind.

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_FILESYSTEM_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_FILESYSTEM_DIR.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FILESYSTEM_DIR),
        "data_folder_out": str(CELERY_BROKER_FILESYSTEM_DIR),
        "store_processed": False,
        # kombu's default is ./control in the working directory; keep it with the messages.
        "control_folder": str(CELERY_BROKER_FILESYSTEM_DIR / "control"),
    }
else:
    # Redis re-delivers a message not acknowledged within this time. It must exceed the
    # longest task and any countdown (docs/reliability.md I5); no task uses a long ETA.
    # A dead worker's unacknowledged messages are looked for every interval * throttle
    # seconds (kombu's defaults: 10 * 10); tests shorten all three.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 7200),
        "unacked_restore_interval": envint("CELERY_UNACKED_RESTORE_INTERVAL", 10),
        "unacked_restore_throttle": envint("CELERY_UNACKED_RESTORE_THROTTLE", 10),
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", "false")
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 5 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 4 * 60)
# Acknowledge a message only after its task ran, and put it back when the worker process
# died under it (OOM kill); with prefetch 1 a worker holds at most one unstarted message.
# Every task is idempotent, so a re-delivery is harmless (docs/reliability.md I1).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# Separate queues, so a flood of image work cannot delay a publish: the queues themselves are
# declared in newsroom/celery.py (kombu's objects, which a web process does not load). A
# worker started without -Q consumes all of them; production runs one worker per queue
# (docs/background-jobs.md).
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "articles.photos.tasks.photo_renditions_*": {"queue": "media"},
    "articles.tasks.article_*": {"queue": "publishing"},
    "articles.tasks.articles_*": {"queue": "publishing"},
    "articles.published.tasks.related_suggestions_*": {"queue": "publishing"},
    "articles.published.tasks.published_*": {"queue": "publishing"},
    "articles.published.tasks.webhook_*": {"queue": "delivery"},
    "articles.published.tasks.cache_purge_*": {"queue": "delivery"},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Every periodic job, in one place. Each publishes only what the database says is due, so
# an extra run (two beats, a restart) changes nothing.
CELERY_BEAT_SCHEDULE = {
    # Every second: publish scheduled articles whose time has come, so an article goes live
    # at most ~1 s late. `expires` drops runs a stalled worker missed.
    "publish-due-articles": {
        "task": "articles.tasks.articles_publish_due_task",
        "schedule": float(envint("ARTICLE_PUBLISH_SWEEP_SECONDS", 1)),
        "options": {"expires": 10},
    },
    # As often: reveal articles whose embargo or publish time has passed (subscribers hear of
    # them, articles linking to them show the link).
    "reveal-due-articles": {
        "task": "articles.published.tasks.published_reveal_due_task",
        "schedule": float(envint("ARTICLE_PUBLISH_SWEEP_SECONDS", 1)),
        "options": {"expires": 10},
    },
    # Every minute: re-enqueue pending or stuck outbox work whose broker message was lost
    # (broker restart without persistence, a killed worker). docs/reliability.md I3.
    "sweep-background-work": {
        "task": "newsroom.jobs.tasks.jobs_sweep_task",
        "schedule": float(envint("JOB_SWEEP_SECONDS", 60)),
        "options": {"expires": 50},
    },
}

# --- Background work: renditions and webhooks ---------------------------------------------

# Rendition specs: name -> width (never upscaled; none: the original's) and an optional crop
# ratio centred on the photo's focal point. Each is made in every format below, named
# "<spec>.<format>". The public API's photo `url` and the JSON-LD image are the widest
# uncropped one ("full"): an uploaded original is never sent to readers.
PHOTO_RENDITIONS = {
    "full": {"width": None},
    "w320": {"width": 320},
    "w640": {"width": 640},
    "w1024": {"width": 1024},
    "w1600": {"width": 1600},
    "16x9": {"width": 1200, "crop": (16, 9)},
    "1x1": {"width": 600, "crop": (1, 1)},
}
PHOTO_RENDITION_FORMATS = ["jpeg", "webp"]
# A rename (tag, author, section), tag merge or photo edit shown by more published articles than
# this rebuilds them in the background, PUBLISHED_FANOUT_BATCH per transaction
# (docs/background-jobs.md); up to it, in the editor's transaction.
PUBLISHED_FANOUT_INLINE_LIMIT = envint("PUBLISHED_FANOUT_INLINE_LIMIT", 50)
PUBLISHED_FANOUT_BATCH = envint("PUBLISHED_FANOUT_BATCH", 500)
# Outbox work (renditions, suggestions) that failed this often (a killed worker, storage
# errors) is given up.
JOB_MAX_ATTEMPTS = envint("JOB_MAX_ATTEMPTS", 5)
# Outbox work still "running" after this long was lost with its worker; the sweeper retries.
JOB_STUCK_AFTER_SECONDS = envint("JOB_STUCK_AFTER_SECONDS", CELERY_TASK_TIME_LIMIT + 60)

# Webhooks (docs/reliability.md G3-G5). Targets must be https and public; http is allowed with
# DEBUG, and WEBHOOK_ALLOWED_NETWORKS (CIDRs, e.g. "127.0.0.0/8" for tests) opens others.
WEBHOOK_ALLOW_HTTP = envbool("WEBHOOK_ALLOW_HTTP", "true" if DEBUG else "false")
WEBHOOK_ALLOWED_NETWORKS = envlist("WEBHOOK_ALLOWED_NETWORKS", "")
WEBHOOK_TIMEOUT_SECONDS = envint("WEBHOOK_TIMEOUT_SECONDS", 5)
WEBHOOK_MAX_ATTEMPTS = envint("WEBHOOK_MAX_ATTEMPTS", 10)
# Backoff: base * 2^(attempt-1) with jitter, capped; 10 attempts span about 3 hours.
WEBHOOK_RETRY_BASE_SECONDS = envint("WEBHOOK_RETRY_BASE_SECONDS", 30)
WEBHOOK_RETRY_MAX_SECONDS = envint("WEBHOOK_RETRY_MAX_SECONDS", 3600)
