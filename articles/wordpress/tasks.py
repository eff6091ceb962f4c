"""Celery task of the WordPress import: a thin wrapper (`articles.wordpress.services`)."""

from __future__ import annotations

from articles.wordpress.services import import_run_execute
from newsroom.celery import app


@app.task(bind=True, acks_late=True)
def wordpress_import_task(self, run_id: int) -> str | None:
    """Import one uploaded export; a run is re-run safely (the import is idempotent)."""
    run = import_run_execute(run_id=run_id, worker=self.request.hostname or "")
    return run.status if run else None
