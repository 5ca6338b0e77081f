"""A new exporter once per enterprise, naming every programme it was seated in.

Existing rows: each graduation keeps its programme in ``programs``. Where an enterprise holds
more than one graduation not revoked (the old rule allowed one per programme), the earliest
(by export date, then by row) stays and also names the programmes of the others; the others
are revoked with a reason saying so. The funders' counts per programme are unchanged.
"""

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

DUPLICATE_REASON = "Counted once: the enterprise had already become a new exporter on %s."


def programmes_to_many(apps, schema_editor):
    Graduation = apps.get_model("cohorts", "Graduation")
    through = Graduation.programs.through
    through.objects.bulk_create(
        through(graduation_id=pk, program_id=program_id)
        for pk, program_id in Graduation.objects.values_list("pk", "program_id").iterator()
    )
    now = timezone.now()
    kept: dict[int, object] = {}
    for graduation in Graduation.objects.filter(revoked_at__isnull=True).order_by(
        "enterprise_id", "graduated_on", "pk"
    ):
        first = kept.get(graduation.enterprise_id)
        if first is None:
            kept[graduation.enterprise_id] = graduation
            continue
        first.programs.add(graduation.program_id)
        graduation.revoked_at = now
        graduation.revoke_reason = DUPLICATE_REASON % first.graduated_on.isoformat()
        graduation.save(update_fields=["revoked_at", "revoke_reason"])


def programmes_to_one(apps, schema_editor):
    Graduation = apps.get_model("cohorts", "Graduation")
    for graduation in Graduation.objects.all():
        program = graduation.programs.order_by("pk").first()
        if program is not None:
            graduation.program = program
            graduation.save(update_fields=["program"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("cohorts", "0003_enrollment_offers_made_leaving_reason"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="graduation",
            name="programs",
            field=models.ManyToManyField(
                related_name="graduations", to="cohorts.program", verbose_name="programmes"
            ),
        ),
        migrations.AlterField(  # nullable for a moment, so the way back can refill it
            model_name="graduation",
            name="program",
            field=models.ForeignKey(
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="cohorts.program",
                verbose_name="programme",
            ),
        ),
        migrations.RunPython(programmes_to_many, programmes_to_one),
        migrations.RemoveConstraint(
            model_name="graduation",
            name="graduation_once_per_program",
        ),
        migrations.RemoveField(
            model_name="graduation",
            name="program",
        ),
        migrations.RemoveField(
            model_name="historicalgraduation",
            name="program",
        ),
        migrations.AddConstraint(
            model_name="graduation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("revoked_at__isnull", True)),
                fields=("enterprise",),
                name="graduation_once_per_enterprise",
                violation_error_message="This enterprise is already a new exporter.",
            ),
        ),
    ]
