"""python manage.py api_key_issue --funder LPEI --name "Sistem pelaporan" [--expires 2027-12-31]"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from accounts.models import Funder
from reports import services


class Command(BaseCommand):
    help = "Issue an API key for a funder and print it once; only its hash is kept."

    def add_arguments(self, parser):
        parser.add_argument("--funder", required=True, help="The funder's short name (or name).")
        parser.add_argument("--name", required=True, help="A label for the key.")
        parser.add_argument("--expires", help="Last day the key works (YYYY-MM-DD).")

    def handle(self, *args, funder, name, expires=None, **options):
        matches = list(Funder.objects.filter(Q(short_name__iexact=funder) | Q(name__iexact=funder)))
        if len(matches) != 1:
            raise CommandError(f"No single funder is called {funder!r}.")
        expiry = None
        if expires:
            try:
                expiry = dt.date.fromisoformat(expires)
            except ValueError:
                raise CommandError("--expires must be a date, YYYY-MM-DD.") from None
        api_key, key = services.api_key_issue(funder=matches[0], name=name, expires=expiry)
        self.stdout.write(f"API key for {matches[0]} ({api_key.name}), shown only this once:")
        self.stdout.write(key)
