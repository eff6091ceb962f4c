from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from newsroom.jobs.registry import job_kind


class BackgroundJob(models.Model):
    """The database record of a piece of background work (an outbox row).

    The broker only carries a hint to look at this row: if a message is lost (broker restart,
    killed worker), the sweeper finds the row still pending and enqueues it again. One row per
    (kind, object); asking again resets it to pending with a new `key`. Kinds are registered
    by the apps that own the work (`newsroom.jobs.registry`).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=40)
    object_id = models.PositiveBigIntegerField(_("object id"))
    # What version of the object the job is for (e.g. file name and focal point of a photo);
    # a job finishes only if its key is still current.
    key = models.CharField(_("key"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    claimed_by = models.CharField(
        _("claimed by"), max_length=200, blank=True, help_text=_("Worker host and process id.")
    )
    run_after = models.DateTimeField(_("run after"), default=timezone.now)
    # Work done in batches (a rebuild of many documents): the last object id done, so a job
    # taken again after its worker died goes on from there, and how far it got.
    cursor = models.PositiveBigIntegerField(_("cursor"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        # The table, constraint and index kept the names they had in `articles`.
        db_table = "articles_backgroundjob"
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="articles_job_once"),
        ]
        indexes = [
            # The sweeper's scan for pending or stuck work.
            models.Index(
                fields=["run_after"],
                name="articles_job_unfinished_idx",
                condition=Q(status__in=["pending", "running"]),
            ),
            # The dashboard's failed work, most recently failed first (`jobs_failed`).
            models.Index(
                fields=["-updated_at", "-id"],
                name="articles_job_failed_idx",
                condition=Q(status="failed"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind_label} #{self.object_id}: {self.get_status_display()}"

    @property
    def progress(self) -> str:
        """How far work in batches got ("done / total"); "" for other work."""
        return "" if self.total is None else f"{self.done} / {self.total}"

    @property
    def kind_label(self) -> str:
        try:
            return str(job_kind(self.kind).label)
        except LookupError:
            return self.kind
