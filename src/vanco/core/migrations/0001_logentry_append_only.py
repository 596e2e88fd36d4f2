"""The audit log is append-only in the database itself, not only in Django's signals.

Signals miss `QuerySet.update()` and raw SQL. An UPDATE trigger refuses any change on both
databases; on PostgreSQL a DELETE trigger refuses deletion too (tests empty tables with
TRUNCATE there, which row triggers do not see). On SQLite, deletes are refused by the
pre_delete signal in core/audit.py; a test database flush still works.
"""

from django.db import migrations

MESSAGE = "The audit log is append-only."

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER vanco_logentry_no_update BEFORE UPDATE ON auditlog_logentry
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS vanco_logentry_no_update"]

POSTGRES_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION vanco_logentry_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION '{MESSAGE}'; END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER vanco_logentry_no_update BEFORE UPDATE OR DELETE ON auditlog_logentry
    FOR EACH ROW EXECUTE FUNCTION vanco_logentry_append_only()
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS vanco_logentry_no_update ON auditlog_logentry",
    "DROP FUNCTION IF EXISTS vanco_logentry_append_only()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("auditlog", "0017_add_actor_email")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
