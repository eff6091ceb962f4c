"""The sweeper's task: beat sends it every minute, and every worker at start."""

from __future__ import annotations

from newsroom.celery import app
from newsroom.jobs.services import jobs_sweep


@app.task
def jobs_sweep_task() -> dict[str, int]:
    return jobs_sweep()
