"""The starting vocabularies: topics and the curated list of metrics figures use."""

from django.db import migrations

TOPICS = {
    "terrorism": "Terrorism",
    "extremism": "Extremism",
    "religious-extremism": "Religious extremism",
    "drug-trafficking": "Drug trafficking",
    "arms-trafficking": "Arms trafficking",
    "organized-crime": "Transnational organized crime",
    "cross-border-crime": "Cross-border crime",
    "information-sharing": "Information sharing",
    "law-enforcement": "Law enforcement cooperation",
    "border-security": "Border security",
    "military-technical": "Military-technical cooperation",
    "military-readiness": "Military readiness",
    "regional-security": "Regional security",
    "investment": "Investment",
    "energy": "Energy",
    "construction": "Construction",
}

METRICS = [
    ("crimes-solved", "Crimes solved", "crimes"),
    ("persons-detained", "Persons detained", "persons"),
    ("persons-wanted", "Persons put on the wanted list", "persons"),
    ("small-arms-seized", "Small arms seized", "weapons"),
    ("explosives-seized", "Explosives seized", "kg"),
    ("drugs-seized", "Drugs seized", "kg"),
    ("ammunition-seized", "Ammunition seized", "rounds"),
    ("investment", "Investment", "USD"),
    ("assistance", "Assistance", "USD"),
    ("personnel", "Personnel taking part", "persons"),
]


def load(apps, schema_editor):
    Topic = apps.get_model("cooperation", "Topic")
    Metric = apps.get_model("cooperation", "Metric")
    for slug, name in TOPICS.items():
        Topic.objects.get_or_create(slug=slug, defaults={"name": name})
    for slug, name, unit in METRICS:
        Metric.objects.get_or_create(slug=slug, defaults={"name": name, "default_unit": unit})


class Migration(migrations.Migration):
    dependencies = [("cooperation", "0002_countries")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
