"""Create the two editorial roles as groups: Writer and Editor.

Writer: writes and edits drafts, uploads photos, submits for review; cannot publish.
Editor: everything on content, including publish, schedule and unpublish.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WRITER_PERMISSIONS = {
    "articles": [
        "add_article", "change_article", "view_article",
        "add_photo", "change_photo", "view_photo",
        "view_author", "view_section",
        "add_byline", "change_byline", "delete_byline", "view_byline",
        "add_relatedlink", "change_relatedlink", "delete_relatedlink", "view_relatedlink",
        "add_articlephoto", "change_articlephoto", "delete_articlephoto", "view_articlephoto",
        "add_taggedarticle", "change_taggedarticle", "delete_taggedarticle",
        "view_taggedarticle",
    ],
    "tagging": ["add_topictag", "view_topictag"],
}  # fmt: skip

EDITOR_MODELS = {
    "articles": [
        "article", "photo", "author", "section", "byline", "relatedlink", "articlephoto",
        "taggedarticle",
    ],
    "tagging": ["topictag"],
}  # fmt: skip


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now to assign them.
    for app_label in ("articles", "tagging"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(app_label, codenames):
        found = list(
            Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )
        missing = set(codenames) - {p.codename for p in found}
        if missing:
            raise RuntimeError(f"Missing permissions for {app_label}: {sorted(missing)}")
        return found

    writer, _ = Group.objects.get_or_create(name="Writer")
    for app_label, codenames in WRITER_PERMISSIONS.items():
        writer.permissions.add(*permissions(app_label, codenames))

    editor, _ = Group.objects.get_or_create(name="Editor")
    for app_label, model_names in EDITOR_MODELS.items():
        codenames = [
            f"{action}_{model}"
            for model in model_names
            for action in ("add", "change", "delete", "view")
        ]
        editor.permissions.add(*permissions(app_label, codenames))
    editor.permissions.add(*permissions("articles", ["publish_article"]))


def delete_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Writer", "Editor"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("tagging", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, delete_roles)]
