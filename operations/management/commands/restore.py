import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from common.pagekeep import EVERY, moved
from operations.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` into an empty installation, and verify every file."

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="The backup folder")

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            manifest = backup_restore(source=Path(options["source"]))
        except BackupError as error:
            raise CommandError(str(error)) from None
        if settings.PAGE_KEEP:
            moved(EVERY, None)  # pg_restore wrote past Django: no page kept before is true any more
        self.stdout.write(
            f"Restored the database and {len(manifest['files'])} file(s), every one verified, "
            f"in {time.monotonic() - started:.1f} s."
        )
        if manifest["requeued"]:
            self.stdout.write(
                f"{manifest['requeued']} photo(s) were still being processed when the backup was taken: "
                "the task worker makes their display copies again (verify_media lists them until then)."
            )
