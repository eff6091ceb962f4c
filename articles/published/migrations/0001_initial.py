"""The published world's models (published rows, tag and author rows, webhooks) move here from
`articles`, tables, constraints and indexes as they were: only Django's state changes."""

import articles.published.models
import articles.published.webhook_urls
import django.contrib.postgres.search
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def move_content_types(apps, schema_editor, old="articles", new="published"):
    """The moved models' content types follow them, so permissions granted on them stay."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=old, model__in=['publishedarticle', 'publishedarticletag', 'publishedarticleauthor', 'webhooksubscription', 'webhookdelivery', 'webhookattempt']).update(app_label=new)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, old="published", new="articles")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ('articles', '0019_move_photos_to_photos'),
        ('tagging', '0005_tagalias_name_key_null'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='WebhookDelivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('event_id', models.CharField(max_length=64, verbose_name='event id')),
                        ('event_type', models.CharField(max_length=50, verbose_name='event type')),
                        ('payload', models.JSONField(verbose_name='payload')),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('sending', 'Sending'), ('delivered', 'Delivered'), ('failed', 'Failed')], default='pending', max_length=20, verbose_name='status')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('response_code', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='last response code')),
                        ('last_error', models.TextField(blank=True, verbose_name='last error')),
                        ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='next attempt at')),
                        ('claimed_at', models.DateTimeField(blank=True, null=True, verbose_name='claimed at')),
                        ('delivered_at', models.DateTimeField(blank=True, null=True, verbose_name='delivered at')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                    ],
                    options={
                        'verbose_name': 'webhook delivery',
                        'verbose_name_plural': 'webhook deliveries',
                        'db_table': 'articles_webhookdelivery',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='PublishedArticle',
                    fields=[
                        ('article', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='published', serialize=False, to='articles.article')),
                        ('slug', models.SlugField(max_length=120, unique=True)),
                        ('language', models.CharField(choices=[('id', 'Indonesian'), ('en', 'English')], max_length=5)),
                        ('published_at', models.DateTimeField()),
                        ('visible_from', models.DateTimeField()),
                        ('updated_at', models.DateTimeField()),
                        ('teaser', models.TextField(help_text='JSON of a list item (ArticleTeaserSerializer).')),
                        ('search_vector', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                        ('document', models.TextField(help_text='JSON of the detail (ArticleDetailSerializer).')),
                        ('etag', models.CharField(max_length=40)),
                        ('built_at', models.DateTimeField(auto_now=True)),
                        ('reveal_pending', models.BooleanField(default=False)),
                        ('section', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='articles.section')),
                    ],
                    options={
                        'verbose_name': 'published article',
                        'verbose_name_plural': 'published articles',
                        'db_table': 'articles_publishedarticle',
                    },
                ),
                migrations.CreateModel(
                    name='PublishedArticleAuthor',
                    fields=[
                        ('pk', models.CompositePrimaryKey('article', 'author', blank=True, editable=False, primary_key=True, serialize=False)),
                        ('published_at', models.DateTimeField()),
                        ('article', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='author_rows', to='published.publishedarticle')),
                        ('author', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='articles.author')),
                    ],
                    options={
                        'verbose_name': 'published article author',
                        'verbose_name_plural': 'published article authors',
                        'db_table': 'articles_publishedarticleauthor',
                    },
                ),
                migrations.CreateModel(
                    name='PublishedArticleTag',
                    fields=[
                        ('pk', models.CompositePrimaryKey('article', 'tag', blank=True, editable=False, primary_key=True, serialize=False)),
                        ('published_at', models.DateTimeField()),
                        ('article', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='tag_rows', to='published.publishedarticle')),
                        ('tag', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tagging.topictag')),
                    ],
                    options={
                        'verbose_name': 'published article tag',
                        'verbose_name_plural': 'published article tags',
                        'db_table': 'articles_publishedarticletag',
                    },
                ),
                migrations.CreateModel(
                    name='WebhookAttempt',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.PositiveSmallIntegerField(verbose_name='attempt')),
                        ('attempted_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='attempted at')),
                        ('response_code', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='response code')),
                        ('response_body', models.TextField(blank=True, verbose_name='response (first 1 KB)')),
                        ('error', models.TextField(blank=True, verbose_name='error')),
                        ('duration_ms', models.PositiveIntegerField(default=0, verbose_name='duration (ms)')),
                        ('delivery', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempt_log', to='published.webhookdelivery', verbose_name='delivery')),
                    ],
                    options={
                        'verbose_name': 'webhook attempt',
                        'verbose_name_plural': 'webhook attempts',
                        'db_table': 'articles_webhookattempt',
                        'ordering': ['delivery', 'number'],
                    },
                ),
                migrations.CreateModel(
                    name='WebhookSubscription',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, verbose_name='name')),
                        ('url', models.URLField(help_text='HTTPS address that receives a signed JSON POST for every event.', max_length=500, validators=[articles.published.webhook_urls.validate_webhook_url], verbose_name='URL')),
                        ('secret', models.CharField(default=articles.published.models.webhook_secret_default, help_text='Standard Webhooks secret ("whsec_…"); the receiver verifies signatures.', max_length=100, verbose_name='signing secret')),
                        ('previous_secret', models.CharField(blank=True, max_length=100, verbose_name='previous signing secret')),
                        ('secret_rotated_at', models.DateTimeField(blank=True, null=True, verbose_name='secret rotated at')),
                        ('events', models.JSONField(blank=True, default=list, verbose_name='events')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('disabled_reason', models.CharField(blank=True, max_length=255, verbose_name='disabled because')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                    ],
                    options={
                        'verbose_name': 'webhook subscription',
                        'verbose_name_plural': 'webhook subscriptions',
                        'db_table': 'articles_webhooksubscription',
                        'ordering': ['name', 'id'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('is_active', True)), fields=('url',), name='articles_webhooksubscription_active_url_once', violation_error_message='An active subscription to this URL exists already.')],
                    },
                ),
                migrations.AddField(
                    model_name='webhookdelivery',
                    name='subscription',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='published.webhooksubscription', verbose_name='subscription'),
                ),
                migrations.AddIndex(
                    model_name='publishedarticle',
                    index=models.Index(fields=['-published_at', '-article'], name='published_latest_idx'),
                ),
                migrations.AddIndex(
                    model_name='publishedarticle',
                    index=models.Index(fields=['section', '-published_at', '-article'], name='published_section_idx'),
                ),
                migrations.AddIndex(
                    model_name='publishedarticle',
                    index=models.Index(condition=models.Q(('reveal_pending', True)), fields=['visible_from'], name='published_reveal_idx'),
                ),
                migrations.AddIndex(
                    model_name='publishedarticleauthor',
                    index=models.Index(fields=['author', '-published_at', '-article'], name='published_author_idx'),
                ),
                migrations.AddIndex(
                    model_name='publishedarticletag',
                    index=models.Index(fields=['tag', '-published_at', '-article'], name='published_tag_idx'),
                ),
                migrations.AddIndex(
                    model_name='webhookdelivery',
                    index=models.Index(condition=models.Q(('status__in', ['pending', 'sending'])), fields=['next_attempt_at'], name='articles_delivery_due_idx'),
                ),
                migrations.AddConstraint(
                    model_name='webhookdelivery',
                    constraint=models.UniqueConstraint(fields=('subscription', 'event_id'), name='articles_delivery_event_once'),
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
