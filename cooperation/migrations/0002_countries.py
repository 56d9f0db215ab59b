"""Load every ISO 3166-1 country, so any state can be recorded without setup."""

import pycountry
from django.db import migrations


def load_countries(apps, schema_editor):
    Country = apps.get_model("cooperation", "Country")
    existing = set(Country.objects.values_list("code", flat=True))
    Country.objects.bulk_create(
        Country(
            code=c.alpha_2,
            alpha3=c.alpha_3,
            name=getattr(c, "common_name", None) or c.name,
            official_name=getattr(c, "official_name", ""),
        )
        for c in pycountry.countries
        if c.alpha_2 not in existing
    )


class Migration(migrations.Migration):
    dependencies = [("cooperation", "0001_initial")]

    operations = [migrations.RunPython(load_countries, migrations.RunPython.noop)]
