"""Before one active subscription per URL is enforced: switch off the younger duplicates.

Each URL keeps its oldest active subscription; the others stay (with their deliveries) but
are inactive, saying which one they duplicate, so an operator can delete or re-point them.
"""

from django.db import migrations


def deactivate_duplicates(apps, schema_editor):
    WebhookSubscription = apps.get_model("articles", "WebhookSubscription")
    kept: dict[str, int] = {}
    for subscription in WebhookSubscription.objects.filter(is_active=True).order_by("pk"):
        first = kept.setdefault(subscription.url, subscription.pk)
        if first != subscription.pk:
            WebhookSubscription.objects.filter(pk=subscription.pk).update(
                is_active=False,
                disabled_reason=f"Duplicate of subscription #{first} (same URL).",
            )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_published_article_changed_notify"),
    ]

    operations = [
        migrations.RunPython(deactivate_duplicates, migrations.RunPython.noop),
    ]
