"""Photos now live in `articles.photos` (its migration 0001): the foreign keys point there, the
tables stay."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0018_move_backgroundjob_to_jobs'),
        ('photos', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='article',
                    name='lead_photo',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='lead_of_articles', to='photos.photo', verbose_name='lead photo'),
                ),
                migrations.AlterField(
                    model_name='articlephoto',
                    name='photo',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='article_placements', to='photos.photo'),
                ),
                migrations.RemoveField(
                    model_name='photorendition',
                    name='photo',
                ),
                migrations.AlterField(
                    model_name='article',
                    name='photos',
                    field=models.ManyToManyField(blank=True, related_name='inline_of_articles', through='articles.ArticlePhoto', to='photos.photo', verbose_name='inline photos'),
                ),
                migrations.DeleteModel(
                    name='Photo',
                ),
                migrations.DeleteModel(
                    name='PhotoRendition',
                ),
            ],
        ),
    ]
