"""Workers on their own hosts: two Celery workers with separate NEWSROOM_VAR_DIRs and no shared
files (media in moto's S3 server), on Redis and PostgreSQL, each consuming its own queues
(docs/background-jobs.md, "Running workers"). The host making a rendition is killed part-way;
the other finishes it, and nothing is done twice.

Run with `make test-worker` (DATABASE_URL on PostgreSQL, CELERY_BROKER_URL on Redis).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from articles.photos.models import PhotoRendition
from newsroom.jobs.models import BackgroundJob
from tests.newsroom.jobs.test_worker import SPEC_COUNT, broker, wait_until, worker_env
from tests.support import BASE_DIR, s3
from tests.support.factories import PhotoFactory, image_upload

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
__all__ = ["broker", "worker_env"]  # fixtures of test_worker.py used here


class Host:
    """A worker "host": its own NEWSROOM_VAR_DIR, consuming `queues` only."""

    def __init__(self, *, name: str, queues: str, env: dict[str, str], tmp_path: Path, beat=False):
        self.name = f"{name}-{uuid.uuid4().hex[:6]}@localhost"
        var_dir = tmp_path / name
        var_dir.mkdir()
        self.log_path = tmp_path / f"{name}.log"
        command = [
            sys.executable, "-m", "celery", "-A", "newsroom", "worker", "-Q", queues,
            "--loglevel", "info", "--pool", "prefork", "--concurrency", "1",
            "--hostname", self.name, "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        if beat:
            command += ["-B", "--schedule", str(var_dir / "celerybeat-schedule")]
        host_env = {**env, "NEWSROOM_VAR_DIR": str(var_dir)}
        host_env.pop("MEDIA_ROOT", None)
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - fixed command line
            command, cwd=BASE_DIR, env=host_env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        wait_until(
            lambda: "ready." in self.output() or self.process.poll() is not None,
            timeout=30,
            message=f"{name} start",
        )
        assert self.process.poll() is None, f"{name} died on start:\n{self.output()}"

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log.close()


def received(host: Host, task_prefix: str) -> bool:
    """Whether `host` received a task whose name starts with `task_prefix` (Celery's log)."""
    pattern = rf"Task {re.escape(task_prefix)}\S*\[[0-9a-f-]+\] received"
    return bool(re.search(pattern, host.output()))


@pytest.fixture
def s3_bucket(settings):
    server = s3.S3Server().start()
    bucket = f"media-{uuid.uuid4().hex[:12]}"
    env = server.bucket_env(bucket)
    settings.STORAGES = {**settings.STORAGES, "default": s3.storage_setting(env)}
    yield server, bucket, env
    server.stop()


def test_a_host_killed_mid_rendition_leaves_the_work_to_the_other_done_once(
    worker_env, s3_bucket, tmp_path
):
    server, bucket, media_env = s3_bucket
    env = {**worker_env, **media_env}
    hosts: list[Host] = []
    try:
        media_host = Host(name="media", queues="media,delivery", env=env, tmp_path=tmp_path)
        hosts.append(media_host)
        # Big enough that the job takes a while, so there is time to kill it part-way.
        photo = PhotoFactory(image=image_upload(width=5000, height=3500, fmt="PNG", name="big.png"))
        wait_until(
            lambda: PhotoRendition.objects.filter(photo=photo).exists(),
            timeout=60,
            interval=0.02,
            message=lambda: f"first rendition\n{media_host.output()[-3000:]}",
        )
        publishing_host = Host(
            name="publishing", queues="publishing,default,media", env=env, tmp_path=tmp_path,
            beat=True,
        )  # fmt: skip
        hosts.append(publishing_host)
        media_host.kill()
        made_before_kill = PhotoRendition.objects.filter(photo=photo).count()
        assert made_before_kill < SPEC_COUNT, "the kill came before the job finished"

        wait_until(
            lambda: BackgroundJob.objects.filter(object_id=photo.pk, status="done").exists(),
            timeout=90,
            message=lambda: (
                f"{BackgroundJob.objects.get(object_id=photo.pk)}\n"
                f"{media_host.output()[-2000:]}\n---\n{publishing_host.output()[-3000:]}"
            ),
        )
        job = BackgroundJob.objects.get(object_id=photo.pk)
        assert job.attempts >= 2
        names = set(PhotoRendition.objects.filter(photo=photo).values_list("file", flat=True))
        assert len(names) == SPEC_COUNT
        stored = {key for key in server.keys(bucket) if key.startswith(f"renditions/{photo.pk}/")}
        assert stored == names, "one object per rendition, none left over"

        # Each host took only its own queues: the beat's publishing sweeps ran on the
        # publishing host, never on the media host.
        assert received(publishing_host, "articles.tasks.articles_publish_due_task")
        assert received(media_host, "articles.photos.tasks.photo_renditions_generate_task")
        assert not received(media_host, "articles.tasks.")
        assert not received(media_host, "newsroom.jobs.tasks.")
    finally:
        for host in hosts:
            host.kill()
    assert not any((tmp_path / name / "media").exists() for name in ("media", "publishing"))
    assert settings.STORAGES["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
