import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from cooperation import changes


def install_trigger(apps, schema_editor):
    """Every table of the app moves the data version (``cooperation.changes``); dropping the table drops it."""
    changes.install(schema_editor, [apps.get_model("cooperation", "ApiToken")._meta.db_table])


class Migration(migrations.Migration):
    dependencies = [
        ("cooperation", "0008_lowercase_slugs_bounded_agenda_order"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(help_text="What it is for, e.g. “Grafana dashboard”.", max_length=100)),
                (
                    "read_only",
                    models.BooleanField(
                        default=True,
                        help_text="A read-only token may only read (GET, HEAD, OPTIONS): for dashboards. A read-write "
                        "one writes what its user's permissions allow.",
                    ),
                ),
                ("prefix", models.CharField(editable=False, max_length=8, verbose_name="key starts with")),
                ("digest", models.CharField(editable=False, max_length=64, unique=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_tokens",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "API token",
                "ordering": ("-created_at",),
                "permissions": [("publish_record", "Can publish records, and withdraw or delete published ones")],
            },
        ),
        migrations.RunPython(install_trigger, migrations.RunPython.noop),
    ]
