import re
import unicodedata

from django.db import migrations


def _key(name):
    # A frozen copy of tagging.text.tag_name_key: migrations must not follow later changes.
    display = re.sub(r"\s+", " ", name or "").strip()
    decomposed = unicodedata.normalize("NFKD", display)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", bare).casefold()


def fill_name_key(apps, schema_editor):
    TopicTag = apps.get_model("tagging", "TopicTag")
    seen = set()
    for tag in TopicTag.objects.order_by("pk").only("pk", "name"):
        key = _key(tag.name)
        if key in seen:
            # Two existing tags that differ only in case, spacing or accents: the younger
            # one keeps a distinct key until an editor merges the two.
            key = f"{key[:80]}#{tag.pk}"
        seen.add(key)
        TopicTag.objects.filter(pk=tag.pk).update(name_key=key)


class Migration(migrations.Migration):
    dependencies = [
        ("tagging", "0002_tag_aliases_and_name_key"),
    ]

    operations = [
        migrations.RunPython(fill_name_key, migrations.RunPython.noop),
    ]
