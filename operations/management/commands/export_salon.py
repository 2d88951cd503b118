import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from operations.services import salon_export_plan
from privacy.services import export_zip_chunks
from salons.models import Salon

logger = logging.getLogger("karte.platform")


class Command(BaseCommand):
    help = "Write everything of one salon (staff, customers, kartes, photos) into a ZIP file. Audited."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True, help="The salon's URL name")
        parser.add_argument(
            "--output", required=True, type=Path, help="The ZIP file to write (must not exist)"
        )

    def handle(self, *args, **options):
        salon = Salon.objects.filter(slug=options["slug"]).first()
        if salon is None:
            raise CommandError(f"No salon has the URL name {options['slug']!r}.")
        output = Path(options["output"])
        if output.exists():
            raise CommandError(f"{output} exists already.")
        with scope(salon=salon):
            plan = salon_export_plan(salon=salon)
        with output.open("xb") as out:
            for chunk in export_zip_chunks(plan):
                out.write(chunk)
        logger.warning("salon %s exported by the platform operator to %s", salon.slug, output)
        self.stdout.write(
            f"Wrote {len(plan.documents)} document(s) and {len(plan.files)} file(s) to {output}."
        )
