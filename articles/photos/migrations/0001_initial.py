"""Photo and PhotoRendition move here from `articles`, tables and constraints as they were: only
Django's state changes (`articles` 0019 lets go of them)."""

import articles.photos.images
import articles.photos.models
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor, old="articles", new="photos"):
    """The moved models' content types follow them, so permissions granted on them stay."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=old, model__in=['photo', 'photorendition']).update(app_label=new)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, old="photos", new="articles")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("articles", "0018_move_backgroundjob_to_jobs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Photo',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('image', articles.photos.images.PhotoField(height_field='height', help_text='JPEG, PNG, WebP or GIF.', upload_to=articles.photos.models.photo_upload_to, verbose_name='image file', width_field='width')),
                        ('width', models.PositiveIntegerField(default=0, editable=False, verbose_name='width')),
                        ('height', models.PositiveIntegerField(default=0, editable=False, verbose_name='height')),
                        ('caption', models.TextField(blank=True, verbose_name='caption')),
                        ('credit', models.CharField(blank=True, help_text='For example "Foto: Name/Agency".', max_length=255, verbose_name='credit')),
                        ('copyright', models.CharField(blank=True, max_length=255, verbose_name='copyright')),
                        ('source', models.CharField(blank=True, help_text='Who supplied the photo, e.g. an agency (IPTC Source).', max_length=255, verbose_name='source')),
                        ('source_url', models.URLField(blank=True, verbose_name='source URL')),
                        ('alt_text', models.CharField(blank=True, help_text='What the picture shows, for readers who cannot see it.', max_length=300, verbose_name='alt text')),
                        ('focal_point_x', models.FloatField(default=0.5, verbose_name='focal point x')),
                        ('focal_point_y', models.FloatField(default=0.5, verbose_name='focal point y')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='uploaded at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('uploaded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='uploaded_photos', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by')),
                    ],
                    options={
                        'verbose_name': 'photo',
                        'verbose_name_plural': 'photos',
                        'db_table': 'articles_photo',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='PhotoRendition',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('spec', models.CharField(max_length=50, verbose_name='spec')),
                        ('file', models.ImageField(max_length=255, upload_to=articles.photos.models.rendition_upload_to, verbose_name='file')),
                        ('width', models.PositiveIntegerField(verbose_name='width')),
                        ('height', models.PositiveIntegerField(verbose_name='height')),
                        ('format', models.CharField(max_length=10, verbose_name='format')),
                        ('source_key', models.CharField(max_length=64, verbose_name='source key')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('photo', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='renditions', to='photos.photo', verbose_name='photo')),
                    ],
                    options={
                        'verbose_name': 'photo rendition',
                        'verbose_name_plural': 'photo renditions',
                        'db_table': 'articles_photorendition',
                        'ordering': ['photo', 'spec'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='photo',
                    constraint=models.CheckConstraint(condition=models.Q(('focal_point_x__gte', 0), ('focal_point_x__lte', 1), ('focal_point_y__gte', 0), ('focal_point_y__lte', 1)), name='articles_photo_focal_point_in_frame'),
                ),
                migrations.AddConstraint(
                    model_name='photorendition',
                    constraint=models.UniqueConstraint(fields=('photo', 'spec'), name='articles_rendition_spec_once'),
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
