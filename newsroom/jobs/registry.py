"""The kinds of outbox work, and the sweepers of other outboxes, that apps register.

An app registers what it owns in its `AppConfig.ready()`: a kind's name, label, the Celery
task that does it (called with the object's id) and the model its object ids point to. The
jobs home sends work through this registry, so it imports no app's tasks. A task is named by
its import path and imported when work is first sent: a web process that never sends any
does not load Celery (docs/performance.md, "Worker memory").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    # The import path of a Celery task taking the object's id (`task.delay(object_id)`).
    task_path: str
    # "app_label.ModelName" of the objects, for the admin's link to each job's object.
    model: str = ""

    @property
    def task(self) -> Any:
        return import_string(self.task_path)


# A sweeper re-sends the overdue work of an outbox of its own (webhook deliveries, say) and
# returns how many it re-sent.
Sweeper = Callable[[datetime], int]

_kinds: dict[str, JobKind] = {}
_sweepers: dict[str, Sweeper] = {}


def job_kind_register(*, name: str, label: str, task: str, model: str = "") -> None:
    """Make `name` a kind of work that the task at import path `task` carries out.
    Registering again replaces it."""
    _kinds[name] = JobKind(name=name, label=label, task_path=task, model=model)


def job_kind(name: str) -> JobKind:
    """The registered kind `name`; `LookupError` if no installed app registered it."""
    try:
        return _kinds[name]
    except KeyError:
        raise LookupError(f"No app registered the job kind {name!r}.") from None


def job_kinds() -> list[JobKind]:
    return sorted(_kinds.values(), key=lambda kind: kind.name)


def job_sweeper_register(*, name: str, sweep: Sweeper) -> None:
    """Have `jobs_sweep` call `sweep(now)` too; its count is reported under `name`."""
    _sweepers[name] = sweep


def job_sweepers() -> dict[str, Sweeper]:
    return dict(_sweepers)
