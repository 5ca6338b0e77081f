from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from config import backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into a new folder."

    def add_arguments(self, parser):
        parser.add_argument(
            "--to",
            help="folder to create (default: VAR_DIR/backups/<date and time>)",
        )

    def handle(self, *args, **options):
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        target = Path(options["to"] or Path(settings.VAR_DIR) / "backups" / stamp)
        try:
            manifest = backup.backup(target)
        except (backup.BackupError, FileExistsError) as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Backup written to {target}: {len(manifest['tables'])} tables, {rows} rows, "
            f"{len(manifest['files'])} files."
        )
