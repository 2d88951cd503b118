import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone
from django_scopes import scopes_disabled

from kartes.services import image_assets_purge_unused


class Command(BaseCommand):
    help = "Delete uploaded photos and illustrations that never became part of a saved karte."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-hours", type=int, default=24, help="Keep anything newer (default 24)"
        )

    def handle(self, *args, **options):
        cutoff = timezone.now() - datetime.timedelta(hours=options["older_than_hours"])
        with scopes_disabled():
            count = image_assets_purge_unused(before=cutoff)
        self.stdout.write(f"Deleted {count} unused upload(s) older than {options['older_than_hours']} hours.")
