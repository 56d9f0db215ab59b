"""The two groups of the review workflow: Curators enter and edit records, Reviewers also publish them.

- **Curators**: add, change, delete and view every curated record and its rows; view the timeline (``event``,
  read-only in the admin) and the countries (loaded by migration 0002); add, change and view topics and metrics
  (a vocabulary grows as records need it; deleting a term in use is left to superusers).
- **Reviewers**: all of that, and ``cooperation.publish_record`` (``cooperation.workflow.may_publish``).

Neither manages users or API tokens. Running it again adds what is missing and removes nothing an administrator
granted since; reversing it deletes the two groups.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EVERYTHING = ("add", "change", "delete", "view")
CURATED = (
    "organization",
    "council",
    "person",
    "source",
    "document",
    "partnership",
    "councilsession",
    "jointoperation",
    "exercise",
    "meeting",
    "statement",
)
ROWS = (
    "personname",
    "position",
    "participation",
    "outcome",
    "agendaitem",
    "proposal",
    "eventlink",
    "partnershipparty",
    "citation",
)
CURATOR_PERMISSIONS = [
    *(f"{action}_{model}" for model in CURATED + ROWS for action in EVERYTHING),
    "view_event",
    "view_country",
    *(f"{action}_{model}" for model in ("topic", "metric") for action in ("add", "change", "view")),
]
GROUPS = {"Curators": CURATOR_PERMISSIONS, "Reviewers": [*CURATOR_PERMISSIONS, "publish_record"]}


def create_groups(apps, schema_editor):
    # Permissions are made by ``post_migrate``, after every migration: on a fresh database they do not exist yet.
    app_config = apps.get_app_config("cooperation")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        permissions = Permission.objects.filter(content_type__app_label="cooperation", codename__in=codenames)
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise LookupError(f"Permissions not found for the group {name}: {', '.join(sorted(missing))}")
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cooperation", "0009_api_token"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
