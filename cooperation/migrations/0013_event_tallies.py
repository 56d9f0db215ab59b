# The events' counts by kind, start year, country and pair of countries, kept by triggers on the facets and texts
# (cooperation.facets): the unfiltered aggregates read them instead of counting the timeline.

from django.db import migrations, models

from cooperation import changes, facets


def install_tallies(apps, schema_editor):
    changes.install(schema_editor, [facets.TALLIES])  # as every table (tests/test_stats_cache.py)
    facets.install(schema_editor)
    with schema_editor.connection.cursor() as cursor:
        facets.recount(cursor)


def uninstall_tallies(apps, schema_editor):
    facets.uninstall(schema_editor)
    facets.install(schema_editor, tallies=False)


class Migration(migrations.Migration):

    dependencies = [
        ('cooperation', '0012_drop_event_text_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='EventTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=32)),
                ('public', models.BooleanField()),
                ('events', models.IntegerField()),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('key', 'public'), name='cooperation_eventtally_unique')],
            },
        ),
        migrations.RunPython(install_tallies, uninstall_tallies),
    ]
