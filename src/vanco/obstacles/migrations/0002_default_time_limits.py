"""Every category starts with the time limit of common practice; coordinators tune them."""

from django.db import migrations

DEFAULTS = {
    "land": 30,
    "planning": 20,
    "permits": 15,
    "environment": 20,
    "power": 10,
    "infrastructure": 15,
    "finance": 15,
    "labour": 10,
    "tax_customs": 10,
    "policy": 30,
    "other": 15,
}


def create_limits(apps, schema_editor):
    CategoryLimit = apps.get_model("obstacles", "CategoryLimit")
    for category, days in DEFAULTS.items():
        CategoryLimit.objects.get_or_create(category=category, defaults={"time_limit_days": days})


class Migration(migrations.Migration):
    dependencies = [("obstacles", "0001_initial")]

    operations = [migrations.RunPython(create_limits, migrations.RunPython.noop)]
