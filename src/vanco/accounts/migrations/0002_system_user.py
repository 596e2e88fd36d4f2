from django.contrib.auth.hashers import make_password
from django.db import migrations

SYSTEM_USERNAME = "system"


def create_system_user(apps, schema_editor):
    """The actor of commands, tasks and imports exists from the first migration on, so that no
    audit entry (not even its own creation) lacks an actor."""
    user_model = apps.get_model("accounts", "User")
    user_model.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "full_name": "Vanco",
            "is_active": False,
            "is_system": True,
            "password": make_password(None),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(create_system_user, migrations.RunPython.noop)]
