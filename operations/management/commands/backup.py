import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database and every stored photo and logo into a new folder, with a manifest of hashes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, type=Path, help="A new or empty folder")

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            manifest = backup_create(output=Path(options["output"]))
        except BackupError as error:
            raise CommandError(str(error)) from None
        size = sum(entry["size"] for entry in manifest["files"])
        self.stdout.write(
            f"Backed up the {manifest['database']['engine']} database and {len(manifest['files'])} file(s) "
            f"({size / 1e6:.1f} MB) into {options['output']} in {time.monotonic() - started:.1f} s."
        )
