"""An index for the dashboard's failed background jobs, most recently failed first
(`newsroom.jobs.services.jobs_failed`): partial on the failed ones, so the panel reads a few
index entries whatever the number of jobs done. Built concurrently on PostgreSQL."""

from django.db import migrations, models

from newsroom.postgresql.operations import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("jobs", "0001_initial")]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="backgroundjob",
            index=models.Index(
                condition=models.Q(status="failed"),
                fields=["-updated_at", "-id"],
                name="articles_job_failed_idx",
            ),
        ),
    ]
