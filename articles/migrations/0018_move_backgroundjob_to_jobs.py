"""BackgroundJob now lives in `newsroom.jobs` (its migration 0001): the table stays."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0017_photo_source"),
        ("jobs", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="BackgroundJob")],
        ),
    ]
