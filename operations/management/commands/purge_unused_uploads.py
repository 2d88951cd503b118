import datetime
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django_scopes import scopes_disabled

from common.media import orphans_purge, spool_purge
from kartes.services import image_assets_purge_unused


class Command(BaseCommand):
    help = (
        "Delete uploads that never became part of a saved karte, files in storage that no row uses, "
        "and upload spool files left by interrupted requests."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-hours", type=int, default=24, help="Keep anything newer (default 24)"
        )
        parser.add_argument(
            "--spool-older-than-minutes",
            type=int,
            default=60,
            help="Keep spool files newer than this (default 60): an upload may still be arriving",
        )

    def handle(self, *args, **options):
        hours = options["older_than_hours"]
        cutoff = timezone.now() - datetime.timedelta(hours=hours)
        with scopes_disabled():
            count = image_assets_purge_unused(before=cutoff)
            orphans = orphans_purge(older_than=cutoff.timestamp())
        spool = spool_purge(
            folder=settings.FILE_UPLOAD_TEMP_DIR,
            older_than=time.time() - options["spool_older_than_minutes"] * 60,
        )
        self.stdout.write(f"Deleted {count} unused upload(s) older than {hours} hours.")
        self.stdout.write(f"Deleted {len(orphans)} stored file(s) that no row uses.")
        for name in orphans:
            self.stdout.write(f"  {name}")
        self.stdout.write(f"Deleted {len(spool)} stale upload spool file(s).")
