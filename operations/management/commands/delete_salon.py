import logging

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from operations.services import salon_erase
from salons.models import Salon

logger = logging.getLogger("karte.platform")


class Command(BaseCommand):
    help = "Delete a salon for good: every customer, karte, photo file, notice, phone and staff login."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True, help="The salon's URL name")
        parser.add_argument("--confirm", required=True, help="The URL name again, to confirm")

    def handle(self, *args, **options):
        if options["confirm"] != options["slug"]:
            raise CommandError("--confirm must repeat the salon's URL name exactly.")
        salon = Salon.objects.filter(slug=options["slug"]).first()
        if salon is None:
            raise CommandError(f"No salon has the URL name {options['slug']!r}.")
        with scope(salon=salon):
            gone = salon_erase(salon=salon)
        # The salon's own audit log goes with it; the platform's log keeps that it happened.
        logger.warning("salon %s deleted by the platform operator: %s", options["slug"], gone)
        self.stdout.write(
            f"Deleted salon {options['slug']}: {gone['customers']} customer(s), {gone['files']} file(s), "
            f"{gone['staff_logins']} staff login(s)."
        )
