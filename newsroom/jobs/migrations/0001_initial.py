"""BackgroundJob moves here from `articles`, table and all: only Django's state changes.

Its content type follows, so permissions granted on it (and admin log entries) stay.
"""

import django.utils.timezone
from django.db import migrations, models


def move_content_type(apps, schema_editor, old="articles", new="jobs"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=old, model="backgroundjob").update(app_label=new)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, old="jobs", new="articles")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("articles", "0017_photo_source"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='BackgroundJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=40, verbose_name='kind')),
                        ('object_id', models.PositiveBigIntegerField(verbose_name='object id')),
                        ('key', models.CharField(blank=True, max_length=64, verbose_name='key')),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='pending', max_length=20, verbose_name='status')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('last_error', models.TextField(blank=True, verbose_name='last error')),
                        ('claimed_by', models.CharField(blank=True, help_text='Worker host and process id.', max_length=200, verbose_name='claimed by')),
                        ('run_after', models.DateTimeField(default=django.utils.timezone.now, verbose_name='run after')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started at')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                    ],
                    options={
                        'verbose_name': 'background job',
                        'verbose_name_plural': 'background jobs',
                        'db_table': 'articles_backgroundjob',
                        'ordering': ['-updated_at', '-id'],
                        'indexes': [models.Index(condition=models.Q(('status__in', ['pending', 'running'])), fields=['run_after'], name='articles_job_unfinished_idx')],
                        'constraints': [models.UniqueConstraint(fields=('kind', 'object_id'), name='articles_job_once')],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
