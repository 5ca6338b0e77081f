from django.db import migrations

# Offices reach the enterprises enrolled in their programmes.
ENROLLED = """
    INSERT INTO {reach} (office_id, enterprise_id)
    SELECT DISTINCT p.office_id, e.enterprise_id
    FROM {enrollment} e JOIN {program} p ON p.id = e.program_id WHERE true
    ON CONFLICT DO NOTHING
"""


def fill(apps, schema_editor):
    quote = schema_editor.quote_name
    tables = {
        "reach": apps.get_model("accounts", "OfficeReach"),
        "enrollment": apps.get_model("cohorts", "Enrollment"),
        "program": apps.get_model("cohorts", "Program"),
    }
    schema_editor.execute(
        ENROLLED.format(**{name: quote(model._meta.db_table) for name, model in tables.items()})
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_office_reach"),
        ("cohorts", "0005_list_order_indexes"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
