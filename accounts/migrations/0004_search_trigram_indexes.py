"""Trigram indexes for the admin's searches on PostgreSQL (SQLite keeps migrating without).

Django's case-insensitive search compares UPPER(column) LIKE UPPER('%term%'), so the indexes
are built on that expression; pg_trgm is a trusted extension a database owner may create.
"""

from django.db import migrations

INDEXES = [
    ("accounts_enterprise", "name"),
    ("accounts_enterprise", "nib"),
    ("accounts_enterprise", "owner_name"),
    ("accounts_user", "email"),
    ("accounts_user", "full_name"),
]


def _name(table, column):
    return f"{table}_{column}_upper_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{_name(table, column)}" ON "{table}" '
            f'USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{_name(table, column)}"')


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_personal_data_act")]

    operations = [migrations.RunPython(create, drop)]
