import zoneinfo

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_scopes import scope

from customers.models import Customer
from salons.models import Salon, StaffMember, StaffRole

from ...services import LinkError, link_code_issue


class Command(BaseCommand):
    help = "Print a fresh 8-digit code that links a phone to a customer, with the time it runs out."

    def add_arguments(self, parser):
        parser.add_argument("--salon", default="demo", help="The salon's URL name (default: demo)")
        parser.add_argument(
            "--customer", type=int, help="The customer's id (default: the first in あいうえお order)"
        )
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="Where the app is served")

    def handle(self, *args, **options):
        salon = Salon.objects.filter(slug=options["salon"]).first()
        if salon is None:
            raise CommandError(f"There is no salon with the URL name {options['salon']!r}.")
        with scope(salon=salon):
            customers = Customer.objects.filter(archived_at__isnull=True)
            if options["customer"] is not None:
                customers = customers.filter(pk=options["customer"])
            customer = customers.order_by("kana_sort", "id").first()
            owner = StaffMember.objects.filter(role=StaffRole.OWNER, is_active=True).first()
            if customer is None or owner is None:
                raise CommandError("The salon needs an owner and a customer first.")
            try:
                issued = link_code_issue(salon=salon, customer=customer, issued_by=owner)
            except LinkError:
                raise CommandError("The salon's customer-app option is off.") from None
        write_link_code(self.stdout, salon, customer, issued, options["base_url"])


def write_link_code(out, salon, customer, issued, base_url: str) -> None:
    """The lines that tell someone at a terminal how to link a phone, ending with the code's expiry."""
    expires = timezone.localtime(issued.link_code.expires_at, zoneinfo.ZoneInfo(salon.timezone))
    out.write(f"  Customer app: open {base_url.rstrip('/')}/s/{salon.slug}/app/ and type")
    out.write(
        f"  {issued.numeric} to link it to {customer.name} (valid until {expires:%H:%M} {salon.timezone}; "
        "`manage.py link_code` prints a new one, and staff can show QR codes on the customer's page)."
    )
