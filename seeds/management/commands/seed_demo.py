"""Build the Lampung demo around today, and optionally add synthetic enterprises."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from seeds.demo import DEMO_PASSWORD, build_demo, model_counts


class Command(BaseCommand):
    help = (
        "Build the Lampung demo (idempotent; --reset rebuilds it around today) and optionally "
        "add N synthetic enterprises with --enterprises N."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo and build it again around today."
        )
        parser.add_argument(
            "--enterprises",
            type=int,
            default=0,
            metavar="N",
            help="Add N synthetic enterprises with products, enrollments, cases and exports.",
        )
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help="Build the demo around this day (YYYY-MM-DD) instead of today.",
        )

    def handle(self, *args, reset=False, enterprises=0, today=None, **options):
        if enterprises < 0:
            raise CommandError(_("The number of enterprises cannot be negative."))
        if today is not None and today > timezone.localdate():
            raise CommandError(
                _("The demo is built from what has already happened: choose today or a past day.")
            )
        result = build_demo(today=today, reset=reset)
        if result.built:
            self.stdout.write(
                self.style.SUCCESS(_("Demo built around %(day)s.") % {"day": result.today})
            )
        else:
            self.stdout.write(
                _("The demo is already there; nothing changed (use --reset to rebuild it).")
            )
        if enterprises:
            from seeds.synthetic import add_synthetic_enterprises

            started = time.monotonic()
            summary = add_synthetic_enterprises(count=enterprises, today=result.today)
            self.stdout.write(
                self.style.SUCCESS(
                    _("Added %(count)s synthetic enterprises in %(seconds).1f s: %(details)s")
                    % {
                        "count": enterprises,
                        "seconds": time.monotonic() - started,
                        "details": ", ".join(f"{k} {v}" for k, v in summary.items()),
                    }
                )
            )
        counts = ", ".join(f"{name} {n}" for name, n in model_counts().items() if n)
        self.stdout.write(_("Rows: %(counts)s") % {"counts": counts})
        self.stdout.write(_("Demo password for every account: %(pw)s") % {"pw": DEMO_PASSWORD})
