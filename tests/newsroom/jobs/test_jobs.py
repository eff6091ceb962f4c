"""Outbox jobs: claiming, outcomes, the poison limit, the sweeper and the bulk command."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles.photos.models import PhotoRendition
from articles.photos.services import photo_renditions_run
from articles.photos.tasks import photo_renditions_generate_task
from articles.published.models import WebhookDelivery, WebhookSubscription
from newsroom.jobs.models import BackgroundJob
from newsroom.jobs.services import TransientJobError, job_claim, jobs_sweep
from newsroom.jobs.tasks import jobs_sweep_task
from tests.support.factories import PhotoFactory, image_upload

pytestmark = pytest.mark.django_db
SPECS = 14


def corrupt(photo) -> None:
    path = Path(photo.image.path)
    path.write_bytes(path.read_bytes()[:200])


def job_of(photo) -> BackgroundJob:
    return BackgroundJob.objects.get(kind="photo_renditions", object_id=photo.pk)


def test_run_makes_renditions_and_finishes():
    photo = PhotoFactory()

    job = photo_renditions_run(photo_id=photo.pk, worker="w1")

    assert (job.status, job.attempts, job.claimed_by, job.last_error) == ("done", 1, "w1", "")
    assert PhotoRendition.objects.filter(photo=photo).count() == SPECS
    # Done: a second message (re-delivery, sweeper) does nothing.
    assert photo_renditions_run(photo_id=photo.pk) is None


def test_task_called_synchronously_returns_the_outcome():
    photo = PhotoFactory()
    assert photo_renditions_generate_task(photo.pk) == "done"
    assert photo_renditions_generate_task(photo.pk) is None


def test_corrupt_file_fails_once_with_a_clear_error_and_is_not_sent_again(sent_tasks):
    photo = PhotoFactory(image=image_upload(width=300, height=200))
    corrupt(photo)

    job = photo_renditions_run(photo_id=photo.pk)

    assert job.status == "failed" and job.attempts == 1
    assert job.last_error.startswith("The image file cannot be read")
    # Saving the photo again (a caption edit) does not start an endless retry.
    photo.caption = "New caption"
    photo.save()
    assert job_of(photo).status == "failed"
    assert sent_tasks == []


def test_storage_error_is_transient_and_handed_back(monkeypatch):
    photo = PhotoFactory()

    def broken_save(*args, **kwargs):
        raise OSError("object store answered 500")

    monkeypatch.setattr("django.core.files.storage.FileSystemStorage.save", broken_save)
    with pytest.raises(TransientJobError):
        photo_renditions_run(photo_id=photo.pk)

    job = job_of(photo)
    assert job.status == "pending"
    assert job.last_error == "OSError: object store answered 500"
    assert job.run_after > timezone.now()


def test_a_job_that_keeps_killing_its_worker_is_given_up(settings):
    settings.JOB_MAX_ATTEMPTS = 3
    photo = PhotoFactory()
    # Three claims whose worker died (the job stays "running" and comes back).
    BackgroundJob.objects.filter(pk=job_of(photo).pk).update(status="running", attempts=3)

    assert job_claim(kind="photo_renditions", object_id=photo.pk) is None

    job = job_of(photo)
    assert job.status == "failed"
    assert job.last_error.startswith("Gave up after 3 attempts")


def test_a_newer_request_during_the_run_stays_pending(monkeypatch, sent_tasks):
    photo = PhotoFactory(image=image_upload(width=400, height=300))
    from articles.photos import services as jobs

    original = jobs.photo_generate_renditions

    def move_focal_point_meanwhile(*, photo):
        result = original(photo=photo)
        photo.focal_point_x = 0.1
        photo.save()
        return result

    monkeypatch.setattr(jobs, "photo_generate_renditions", move_focal_point_meanwhile)
    job = photo_renditions_run(photo_id=photo.pk)

    assert job.status == "pending", "the crops for the new focal point are still owed"


def test_deleted_photo_leaves_nothing_owed():
    photo = PhotoFactory()
    photo_id = photo.pk
    job = job_of(photo)
    photo.delete()

    assert photo_renditions_run(photo_id=photo_id) is None
    assert not BackgroundJob.objects.filter(pk=job.pk).exists()


# --- The sweeper ----------------------------------------------------------------------------


def test_sweeper_resends_lost_and_stuck_work_only(settings, sent_tasks):
    now = timezone.now()
    fresh, lost, stuck, busy, done = (PhotoFactory() for _ in range(5))
    BackgroundJob.objects.filter(object_id=lost.pk).update(run_after=now - timedelta(minutes=5))
    BackgroundJob.objects.filter(object_id=stuck.pk).update(
        status="running", started_at=now - timedelta(hours=1)
    )
    BackgroundJob.objects.filter(object_id=busy.pk).update(
        status="running", started_at=now - timedelta(seconds=30)
    )
    BackgroundJob.objects.filter(object_id=done.pk).update(
        status="done", run_after=now - timedelta(hours=1)
    )

    counts = jobs_sweep()

    assert counts == {"jobs": 2, "deliveries": 0}
    assert sorted(args[0] for _name, args in sent_tasks) == sorted([lost.pk, stuck.pk])
    assert job_of(stuck).status == "pending"
    assert job_of(busy).status == "running"
    # Sent once per sweep, not again while it waits in the queue.
    sent_tasks.clear()
    assert jobs_sweep() == {"jobs": 0, "deliveries": 0}


def test_sweeper_resends_overdue_and_stuck_deliveries(settings, sent_tasks):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.WEBHOOK_ALLOW_HTTP = True
    subscription = WebhookSubscription.objects.create(name="f", url="http://127.0.0.1:9/")
    now = timezone.now()

    def delivery(event: str, **fields) -> WebhookDelivery:
        return WebhookDelivery.objects.create(
            subscription=subscription, event_id=event, event_type="article.published",
            payload={}, **fields,
        )  # fmt: skip

    overdue = delivery("a", next_attempt_at=now - timedelta(minutes=5))
    stuck = delivery(
        "b", status="sending", claimed_at=now - timedelta(hours=1), next_attempt_at=now
    )
    delivery("c", next_attempt_at=now + timedelta(minutes=5))
    delivery("d", status="delivered", next_attempt_at=now - timedelta(hours=1))

    assert jobs_sweep() == {"jobs": 0, "deliveries": 1}
    assert jobs_sweep_task() == {"jobs": 0, "deliveries": 0}
    assert sent_tasks == [("webhook_delivery_attempt_task", (overdue.pk,))]
    stuck.refresh_from_db()
    assert stuck.status == "pending", "handed back; the next sweep sends it once overdue"


# --- manage.py rebuild_renditions -----------------------------------------------------------


def test_rebuild_renditions_makes_missing_ones_and_reports_failures():
    good = PhotoFactory(image=image_upload(width=500, height=300))
    bad = PhotoFactory(image=image_upload(width=500, height=300))
    corrupt(bad)
    out, err = io.StringIO(), io.StringIO()

    call_command("rebuild_renditions", stdout=out, stderr=err)

    assert out.getvalue().strip() == "Renditions up to date for 1 photos; 1 failed."
    assert "100%" in err.getvalue(), "a progress bar"
    assert f"Photo {bad.pk}: The image file cannot be read" in err.getvalue()
    assert PhotoRendition.objects.filter(photo=good).count() == SPECS
    assert (job_of(good).status, job_of(bad).status) == ("done", "failed")


def test_rebuild_renditions_force_remakes_only_the_chosen_photo():
    photo, other = PhotoFactory(), PhotoFactory()
    call_command("rebuild_renditions", stdout=io.StringIO(), stderr=io.StringIO())
    before = set(PhotoRendition.objects.filter(photo=photo).values_list("pk", flat=True))
    untouched = set(PhotoRendition.objects.filter(photo=other).values_list("pk", flat=True))

    call_command(
        "rebuild_renditions", "--force", "--photo", str(photo.pk), stdout=io.StringIO(),
        stderr=io.StringIO(),
    )  # fmt: skip

    after = set(PhotoRendition.objects.filter(photo=photo).values_list("pk", flat=True))
    assert len(after) == SPECS and not (before & after)
    assert set(PhotoRendition.objects.filter(photo=other).values_list("pk", flat=True)) == (
        untouched
    )
