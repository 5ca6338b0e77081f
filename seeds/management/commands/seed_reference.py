"""Load regions, sectors and certification schemes; safe to run again."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from seeds.reference import load_reference


class Command(BaseCommand):
    help = "Load provinces, regencies, sectors and certification schemes (idempotent)."

    def handle(self, *args, **options):
        summary = load_reference()
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Reference data: %(provinces)s provinces, %(regencies)s regencies and cities, "
                    "%(sectors)s sectors, %(schemes)s certification schemes "
                    "(%(milestones)s milestones, %(documents)s required documents)."
                )
                % vars(summary)
            )
        )
