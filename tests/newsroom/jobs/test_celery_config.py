"""The Celery app's configuration: queues, reliability settings and the beat schedule."""

from __future__ import annotations

import pytest

from newsroom.celery import app


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("articles.photos.tasks.photo_renditions_generate_task", "media"),
        ("articles.tasks.articles_publish_due_task", "publishing"),
        ("articles.tasks.article_ensure_slug_task", "publishing"),
        ("articles.published.tasks.webhook_delivery_attempt_task", "delivery"),
        ("newsroom.jobs.tasks.jobs_sweep_task", "default"),
    ],
)
def test_tasks_are_routed_to_their_queue(task, queue):
    assert app.amqp.router.route({}, task)["queue"].name == queue


def test_reliability_settings():
    conf = app.conf
    assert (conf.task_acks_late, conf.task_reject_on_worker_lost) == (True, True)
    assert conf.worker_prefetch_multiplier == 1
    assert conf.accept_content == ["json"] and conf.task_serializer == "json"
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert {queue.name for queue in conf.task_queues} == {
        "default",
        "media",
        "publishing",
        "delivery",
    }


def test_beat_schedule_publishes_every_second_and_sweeps_every_minute():
    schedule = app.conf.beat_schedule
    assert schedule["publish-due-articles"]["task"] == "articles.tasks.articles_publish_due_task"
    assert schedule["publish-due-articles"]["schedule"] == 1.0
    assert schedule["sweep-background-work"]["task"] == "newsroom.jobs.tasks.jobs_sweep_task"
    assert schedule["sweep-background-work"]["schedule"] == 60.0
    app.loader.import_default_modules()  # autodiscovery, as a worker does at start
    for entry in schedule.values():
        assert entry["task"] in app.tasks
