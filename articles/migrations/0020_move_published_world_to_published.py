"""The published world's tables now belong to `articles.published` (its migration 0001): only
Django's state changes."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0019_move_photos_to_photos'),
        ('published', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='publishedarticleauthor',
                    name='article',
                ),
                migrations.RemoveField(
                    model_name='publishedarticletag',
                    name='article',
                ),
                migrations.RemoveField(
                    model_name='publishedarticleauthor',
                    name='author',
                ),
                migrations.RemoveField(
                    model_name='publishedarticletag',
                    name='tag',
                ),
                migrations.RemoveField(
                    model_name='webhookattempt',
                    name='delivery',
                ),
                migrations.RemoveField(
                    model_name='webhookdelivery',
                    name='subscription',
                ),
                migrations.DeleteModel(
                    name='PublishedArticle',
                ),
                migrations.DeleteModel(
                    name='PublishedArticleAuthor',
                ),
                migrations.DeleteModel(
                    name='PublishedArticleTag',
                ),
                migrations.DeleteModel(
                    name='WebhookAttempt',
                ),
                migrations.DeleteModel(
                    name='WebhookDelivery',
                ),
                migrations.DeleteModel(
                    name='WebhookSubscription',
                ),
            ],
        ),
    ]
