from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_slug

from menus.presets import SalonType
from operations.services import salon_create
from salons.models import Salon


class Command(BaseCommand):
    help = "Create a salon with its owner login."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="Salon name, e.g. 'Hair Salon Sakura'")
        parser.add_argument("--slug", required=True, help="URL name: lower-case letters, digits, hyphens")
        parser.add_argument("--owner", required=True, help="Owner's login name")
        parser.add_argument("--owner-name", required=True, help="Owner's display name")
        parser.add_argument("--password", required=True, help="Owner's password")
        parser.add_argument("--customer-app", action="store_true", help="Switch the customer-app option on")
        parser.add_argument(
            "--type",
            choices=[choice.value for choice in SalonType],
            default="",
            help="Start with the usual menu of a hair, nail, eyelash or esthetic salon",
        )

    def handle(self, *args, **options):
        try:
            validate_slug(options["slug"])
        except Exception:
            raise CommandError("--slug may contain only letters, digits, hyphens and underscores.") from None
        if Salon.objects.filter(slug=options["slug"]).exists():
            raise CommandError(f"A salon with the URL name {options['slug']!r} exists already.")
        if get_user_model().objects.filter(username__iexact=options["owner"]).exists():
            raise CommandError(f"The login name {options['owner']!r} is taken.")
        salon = salon_create(
            name=options["name"],
            slug=options["slug"],
            owner_username=options["owner"],
            owner_password=options["password"],
            owner_name=options["owner_name"],
            salon_type=options["type"],
        )
        if options["customer_app"]:
            salon.customer_app_enabled = True
            salon.save(update_fields=["customer_app_enabled"])
        self.stdout.write(
            self.style.SUCCESS(f"Created salon {salon.name} ({salon.slug}) with owner {options['owner']}.")
        )
