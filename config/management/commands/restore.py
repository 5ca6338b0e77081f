from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config import backup


class Command(BaseCommand):
    help = (
        "Replace the database and the uploaded files with a backup, then check every table's "
        "row count and every file's checksum against it."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="a folder written by `manage.py backup`")
        parser.add_argument(
            "--yes", action="store_true", help="do not ask before replacing the current data"
        )

    def handle(self, *args, **options):
        source = Path(options["source"])
        if not (source / backup.MANIFEST).is_file():
            raise CommandError(f"{source} is not a backup folder (no {backup.MANIFEST}).")
        if not options["yes"]:
            answer = input("This replaces the current database and files. Type 'yes': ")
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing restored.")
        try:
            differences = backup.restore(source)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        if differences:
            for what, (expected, found) in sorted(differences.items()):
                self.stderr.write(f"{what}: expected {expected}, found {found}")
            raise CommandError("The restore does not match the backup.")
        self.stdout.write(f"Restored from {source}; every table and file matches the backup.")
