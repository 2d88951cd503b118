"""A demo salon to try Karte with: logins, customers, kartes, photos and illustrations.

The salon and its logins are made here; each app adds its own part (its ``demo.py``). Everything is
generated (no downloads). Running it again leaves the existing demo alone.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import autodiscover_modules
from django_scopes import scope

from common.demo import Demo, demo_steps
from customers.demo import FAMILY
from customers.models import Customer
from linking.management.commands.link_code import write_link_code
from linking.services import link_code_issue
from salons.models import Salon, StaffMember, StaffRole

from ...services import salon_create

DEMO_SLUG = "demo"
LOGINS = [
    ("owner", "karte-owner-2026", "店長 佐藤 美咲", StaffRole.OWNER),
    ("stylist", "karte-stylist-2026", "鈴木 彩", StaffRole.STYLIST),
]
OPERATOR = ("operator", "karte-operator-2026")
DEMO_EMAILS = ("owner@hana.example.jp", "stylist@hana.example.jp")


class Command(BaseCommand):
    help = "Load a demo salon with staff logins, customers, kartes, photos and illustrations."

    def add_arguments(self, parser):
        parser.add_argument(
            "--customers", type=int, default=len(FAMILY), help="How many customers (at most 30)"
        )
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="Where the app is served")

    def handle(self, *args, **options):
        salon = Salon.objects.filter(slug=DEMO_SLUG).first()
        if salon is None:
            salon = self.create_demo(customers=options["customers"])
            self.stdout.write(self.style.SUCCESS("The demo salon was created."))
        else:
            self.stdout.write("The demo salon is already there; nothing was changed.")
        base_url = options["base_url"].rstrip("/")
        self.print_logins(salon, base_url)
        self.print_link_code(salon, base_url)

    def print_link_code(self, salon, base_url: str):
        """A fresh code for the first demo customer, so a phone can be linked straight away."""
        with scope(salon=salon):
            customer = Customer.objects.filter(archived_at__isnull=True).order_by("kana_sort").first()
            owner = StaffMember.objects.filter(role=StaffRole.OWNER).first()
            if customer is None or owner is None:
                return
            issued = link_code_issue(salon=salon, customer=customer, issued_by=owner)
        write_link_code(self.stdout, salon, customer, issued, base_url)
        self.stdout.write("")

    def print_logins(self, salon, base_url: str):
        self.stdout.write("")
        self.stdout.write(f"  Karte is at {base_url}/  (salon: {salon.name})")
        for username, password, name, role in LOGINS:
            self.stdout.write(f"  {role.value:8} {name}: login {username!r}, password {password!r}")
        self.stdout.write(
            f"  Platform admin: {base_url}/admin/  login {OPERATOR[0]!r}, password {OPERATOR[1]!r}"
        )
        if getattr(settings, "EMAIL_FILE_PATH", None):
            self.stdout.write(
                f"  Mail (password links, invitations, alerts) is written to {settings.EMAIL_FILE_PATH}/"
            )
        self.stdout.write("")

    @transaction.atomic
    def create_demo(self, customers: int):
        owner_login, owner_password, owner_name, _ = LOGINS[0]
        salon = salon_create(
            name="Hair Salon Hana",
            slug=DEMO_SLUG,
            owner_username=owner_login,
            owner_password=owner_password,
            owner_name=owner_name,
            salon_type="hair",
        )
        salon.customer_app_enabled = True
        salon.theme_color = "#b5838d"
        salon.karte_message = (
            "いつもありがとうございます。年末年始は12月30日〜1月3日までお休みをいただきます。"
        )
        salon.phone = "03-6432-0000"
        salon.address = "東京都渋谷区神宮前4-1-1 ハナビル2F"
        salon.opening_hours = "平日 10:00〜20:00\n土日祝 9:00〜19:00\n火曜定休"
        salon.booking_url = "https://reserve.example.jp/hana"
        salon.instagram_url = "https://www.instagram.com/hair.salon.hana/"
        salon.save()
        User = get_user_model()
        if not User.objects.filter(username=OPERATOR[0]).exists():
            User.objects.create_superuser(username=OPERATOR[0], password=OPERATOR[1], email="")
        autodiscover_modules("demo")
        with scope(salon=salon):
            owner = StaffMember.objects.get(role=StaffRole.OWNER)
            # Addresses of the demo's own (example.jp): 「パスワードをお忘れの方」 can be tried; the
            # mail lands in var/mail/ with no server of any kind.
            owner.user.email = DEMO_EMAILS[0]
            owner.user.save(update_fields=["email"])
            stylist_login, stylist_password, stylist_name, role = LOGINS[1]
            user = User.objects.create_user(
                username=stylist_login, password=stylist_password, email=DEMO_EMAILS[1]
            )
            stylist = StaffMember.objects.create(salon=salon, user=user, display_name=stylist_name, role=role)
            demo = Demo(salon=salon, owner=owner, staff=[owner, stylist], customer_count=customers)
            for step in demo_steps():
                step.make(demo)
        return salon
