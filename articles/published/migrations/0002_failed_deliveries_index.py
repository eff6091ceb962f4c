"""An index for the dashboard's webhook deliveries given up on, newest first
(`articles.published.webhooks.webhook_deliveries_failed`): partial on the failed ones, so the
panel reads a few index entries whatever the number delivered. Built concurrently on
PostgreSQL."""

from django.db import migrations, models

from newsroom.postgresql.operations import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("published", "0001_initial")]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="webhookdelivery",
            index=models.Index(
                condition=models.Q(status="failed"),
                fields=["-created_at", "-id"],
                name="articles_delivery_failed_idx",
            ),
        ),
    ]
