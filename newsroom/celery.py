"""The Celery app. Settings come from Django settings under the CELERY_ namespace.

Run a worker (all queues) with `celery -A newsroom worker -l info`, and the scheduler with
`celery -A newsroom beat -l info`; docs/background-jobs.md has the details.

Every task module defines its tasks on this app (`@app.task`), so importing a task loads
Celery and its configuration, and nothing else does: a web worker that sends no work never
imports Celery or kombu (docs/performance.md, "Worker memory"). Nothing here imports the
project's apps, so any layer may import it (docs/architecture.md).
"""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_ready
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

app = Celery("newsroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The queues of `CELERY_TASK_ROUTES` (newsroom/settings/jobs.py); a worker without -Q consumes all.
app.conf.task_queues = [Queue(name) for name in ("default", "media", "publishing", "delivery")]
app.autodiscover_tasks()


@worker_ready.connect
def catch_up_on_start(sender, **kwargs) -> None:
    """After downtime, publish every overdue article, reveal what is due and re-send lost
    work at once.

    The tasks are idempotent, so every worker starting does this harmlessly.
    """
    sender.app.send_task("articles.tasks.articles_publish_due_task")
    sender.app.send_task("articles.published.tasks.published_reveal_due_task")
    sender.app.send_task("newsroom.jobs.tasks.jobs_sweep_task")
