import datetime
import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


def salon_logo_path(instance, filename):
    return f"logos/{uuid.uuid4().hex}.png"


class SecondFactorRule(models.TextChoices):
    ASK_OWNERS = "ask_owners", _("Owners are asked to set one up")
    OWNERS = "owners", _("Required for owners")
    EVERYONE = "everyone", _("Required for everyone")


class Salon(models.Model):
    """The tenant: every customer, karte and photo belongs to exactly one salon."""

    name = models.CharField(_("salon name"), max_length=100)
    slug = models.SlugField(
        _("URL name"),
        max_length=40,
        unique=True,
        help_text=_("Lower-case letters, digits and hyphens; used in the customer app's address."),
    )
    app_name = models.CharField(
        _("app name"),
        max_length=12,
        blank=True,
        help_text=_(
            "The name under the app's icon on a phone's home screen, 12 characters at most. "
            "Empty: the salon name, which the phone shortens if it does not fit."
        ),
    )
    logo = models.FileField(_("logo"), upload_to=salon_logo_path, blank=True)
    logo_sha256 = models.CharField(max_length=64, blank=True, default="", editable=False)
    logo_size = models.BigIntegerField(null=True, blank=True, editable=False)
    theme_color = models.CharField(
        _("theme colour"),
        max_length=7,
        default="#b5838d",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour such as #b5838d."))],
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Tokyo")
    customer_app_enabled = models.BooleanField(
        _("customer app option"),
        default=False,
        help_text=_("The paid option: customers can link their phone and see shared kartes and notices."),
    )
    max_devices_per_customer = models.PositiveSmallIntegerField(
        _("phones per customer"),
        null=True,
        blank=True,
        help_text=_("How many phones one customer may link at once. Leave empty for no limit."),
    )
    # The salon card in the customer app; each part optional.
    phone = models.CharField(_("salon phone"), max_length=20, blank=True)
    address = models.CharField(_("salon address"), max_length=200, blank=True)
    map_url = models.URLField(
        _("map link"), blank=True, help_text=_("Empty: a map search for the address is linked.")
    )
    opening_hours = models.TextField(_("opening hours"), blank=True)
    booking_url = models.URLField(_("booking page"), blank=True)
    line_url = models.URLField(_("LINE"), blank=True)
    instagram_url = models.URLField(_("Instagram"), blank=True)
    website_url = models.URLField(_("website"), blank=True)
    karte_message = models.TextField(
        _("message above the kartes"),
        blank=True,
        help_text=_("Shown to every customer at the top of their karte list, e.g. holidays or a welcome."),
    )
    app_shows_menu = models.BooleanField(
        _("show menus in the app"),
        default=False,
        help_text=_("The customer sees the names of the menus done at each visit."),
    )
    app_shows_prices = models.BooleanField(
        _("show prices in the app"),
        default=False,
        help_text=_("With the menus, the customer also sees their prices and the total."),
    )
    # How long a customer with no visit is kept before being erased for good (customers.retention);
    # empty: kept until staff delete them.
    retention_years = models.PositiveSmallIntegerField(
        _("keep customers without a visit for"),
        null=True,
        blank=True,
        choices=[
            (2, _("2 years")),
            (3, _("3 years")),
            (5, _("5 years")),
            (7, _("7 years")),
            (10, _("10 years")),
        ],
        help_text=_(
            "Customers with no visit, no change and no sheet for this long are listed to the owner a month "
            "ahead, then erased for good with their kartes, photos, sheets and phones, unless kept. "
            "Empty: never."
        ),
    )
    idle_timeout_minutes = models.PositiveSmallIntegerField(
        _("log out after idle minutes"),
        null=True,
        blank=True,
        help_text=_(
            "A shared tablet left alone returns to the login page after this many minutes without use. "
            "Empty: staff stay logged in for up to 12 hours."
        ),
    )
    # The reminder the day before an appointment, through the app (and push where allowed): at this
    # time of the salon's day; empty, none.
    reminder_time = models.TimeField(
        _("reminder the day before, at"),
        null=True,
        blank=True,
        help_text=_(
            "Customers with the app get a reminder of their appointment the day before. Empty: none."
        ),
    )
    # 「アプリから予約を受け付ける」: off, requests the salon confirms, or open times booked at once.
    app_booking = models.CharField(
        _("bookings from the app"),
        max_length=16,
        default="off",
        choices=[
            ("off", _("Not in the app")),
            ("requests", _("Requests the salon confirms (仮予約)")),
            ("instant", _("Open times are booked at once; others are requests")),
        ],
    )
    # How long before an appointment the customer may still change or cancel it in the app; empty: not
    # in the app.
    app_cancel_hours = models.PositiveSmallIntegerField(
        _("change or cancel in the app up to (hours before)"),
        null=True,
        blank=True,
        default=24,
        help_text=_(
            "Until then the app offers 「日時を変更」 (when it takes bookings) and "
            "「キャンセル」; later, the salon's phone number. Empty: only by phone."
        ),
    )
    # The hours the 予約台帳 shows and offers.
    opens_at = models.TimeField(_("opens at"), default=datetime.time(10, 0))
    closes_at = models.TimeField(_("closes at"), default=datetime.time(20, 0))
    second_factor = models.CharField(
        _("second factor at login"),
        max_length=16,
        choices=SecondFactorRule.choices,
        default=SecondFactorRule.ASK_OWNERS,
        help_text=_(
            "Besides the password, a code from an authenticator app. Where it is required, a stolen "
            "password alone opens nothing."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("salon")
        verbose_name_plural = _("salons")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def app_title(self) -> str:
        """The name a phone shows under the home-screen icon."""
        return self.app_name or self.name

    @property
    def initial(self) -> str:
        """The letter that stands for the salon where it has no logo: the first of its app name."""
        return next((ch for ch in self.app_title if not ch.isspace()), "K").upper()


class StaffRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    STYLIST = "stylist", _("Stylist")
    # The front desk: customers, counselling sheets and notices; no kartes, no photos.
    RECEPTION = "reception", _("Reception")


class StaffMember(models.Model):
    """A login that works for one salon, with the role that decides what it may manage."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="staff", verbose_name=_("salon"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_member",
        verbose_name=_("login"),
    )
    display_name = models.CharField(_("display name"), max_length=60)
    role = models.CharField(_("role"), max_length=16, choices=StaffRole.choices, default=StaffRole.STYLIST)
    is_active = models.BooleanField(_("active"), default=True)
    can_view_personal = models.BooleanField(
        _("may see personal details"),
        default=True,
        help_text=_(
            "Phone numbers, email, address and birthday. Without it they show masked. Owners always see them."
        ),
    )
    # The language of the mail this person is sent: the one they last logged in with.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="ja")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Sent by the form that creates it, so that a double tap or a resend creates one, not two.
    client_key = models.UUIDField(null=True, blank=True, editable=False)

    objects = ScopedManager(salon="salon")

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ["-role", "display_name"]
        constraints = [models.UniqueConstraint(fields=["salon", "client_key"], name="staff_create_once")]

    def __str__(self):
        return self.display_name

    @property
    def is_owner(self) -> bool:
        return self.role == StaffRole.OWNER

    @property
    def works_on_kartes(self) -> bool:
        """Kartes and their photos: owners and stylists, not reception."""
        return self.role != StaffRole.RECEPTION

    @property
    def sees_personal(self) -> bool:
        return self.is_owner or self.can_view_personal

    @property
    def second_factor_required(self) -> bool:
        rule = self.salon.second_factor
        return rule == SecondFactorRule.EVERYONE or (rule == SecondFactorRule.OWNERS and self.is_owner)
