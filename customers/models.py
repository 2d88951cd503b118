from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import connections, models
from django.db.models import Func
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from common.text import (
    digits_only,
    kana_sort_key,
    looks_like_phone,
    normalize_kana,
    normalize_phone,
    normalize_search,
)
from salons.models import Salon

# Queries this short have no trigram to look up; they use the index of pieces instead.
SHORT_QUERY = 2
# Customer numbers are shown with at least this many digits (00042), as paper karte books number them.
NUMBER_DIGITS = 5


def number_text(number: int | None) -> str:
    """A customer number as the salon writes it: 00123."""
    return "" if number is None else str(number).zfill(NUMBER_DIGITS)


GRAMS: ArrayField = ArrayField(models.TextField())
MOBILE_DIGITS = 10
# Why two records look like one person (customers.duplicates); the first three are strong, a name
# alone is weaker.
DUPLICATE_REASONS = {
    "phone": _("the same mobile number"),
    "email": _("the same email"),
    "name_birthday": _("the same name, furigana and birthday"),
    "name": _("the same name and furigana"),
}
STRONG_REASONS = ("phone", "email", "name_birthday")


def duplicate_keys(customer: "Customer") -> dict[str, str]:
    """A customer's keys for likely duplicates (customers.duplicates); "" where there is nothing to
    compare: a number too short to be a mobile one, no email, no furigana."""
    phone = digits_only(customer.phone)
    name, kana = normalize_search(customer.name), normalize_search(customer.kana)
    return {
        "dup_phone": phone if len(phone) >= MOBILE_DIGITS else "",
        "dup_email": (customer.email or "").strip().lower(),
        "dup_name": f"{name}|{kana}" if name and kana else "",
    }


class CustomerQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def search(self, query: str, *, salon: Salon):
        """Partial match on name, kana or phone, whatever width or kana staff typed."""
        folded = normalize_search(query)
        if not folded:
            return self
        if looks_like_phone(query):
            # A phone number (names have no digits): its own index, without an OR over both.
            try:
                digits = digits_only(normalize_phone(query))  # a whole number, +81 90… included
            except ValueError:
                digits = digits_only(query)  # part of one
            if query.strip().isdigit() and len(digits) <= NUMBER_DIGITS:
                # As short as a customer number (00123): that customer, or phones holding the digits.
                return self.filter(models.Q(number=int(digits)) | models.Q(phone_digits__contains=digits))
            return self.filter(phone_digits__contains=digits)
        if len(folded) <= SHORT_QUERY and connections[self.db].vendor == "postgresql":
            # Too short for a trigram: the salon's one- and two-character pieces (migration 0005).
            grams = Func("salon_id", "search_text", function="karte_search_grams", output_field=GRAMS)
            return self.alias(grams=grams).filter(grams__contains=[f"{salon.pk}:{folded}"])
        return self.filter(search_text__contains=folded)


class Gender(models.TextChoices):
    UNKNOWN = "", _("Not recorded")
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    NO_ANSWER = "no_answer", _("Prefers not to say")


class Customer(models.Model):
    salon = models.ForeignKey(
        Salon, on_delete=models.CASCADE, related_name="customers", verbose_name=_("salon")
    )
    # Given once, by the salon or the next free one (customers.services), and never changed.
    number = models.PositiveIntegerField(_("customer number"), null=True, blank=True, editable=False)
    name = models.CharField(_("name"), max_length=60)
    kana = models.CharField(_("furigana"), max_length=60)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    other_phone = models.CharField(_("other phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices, blank=True, default="")
    postcode = models.CharField(_("postcode"), max_length=16, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    allergies = models.TextField(
        _("allergies and cautions"),
        blank=True,
        help_text=_("Shown at the top wherever staff work on this customer. Never shown to the customer."),
    )
    memo = models.TextField(_("staff memo"), blank=True, help_text=_("Only staff ever see this."))
    last_visit_on = models.DateField(_("last visit"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Folded copies for search and あいうえお order, kept in step by refresh_search_fields().
    kana_sort = models.CharField(max_length=60, editable=False, default="")
    search_text = models.CharField(max_length=200, editable=False, default="")
    # The digits of both phone numbers, space between, for search by any part of either.
    phone_digits = models.CharField(max_length=41, editable=False, default="")
    # The birthday as month * 100 + day (1224), for the birthday messages of a coming week in one
    # indexed read whatever the year of birth; kept in step by refresh_search_fields().
    birthday_md = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # Keys for likely duplicates (customers.duplicates): the mobile number's digits, the email in
    # lower case, name and furigana folded; "" where there is nothing to compare.
    dup_phone = models.CharField(max_length=20, editable=False, default="")
    dup_email = models.CharField(max_length=254, editable=False, default="")
    dup_name = models.CharField(max_length=121, editable=False, default="")
    # Sent by the form that creates it, so that a double tap or a resend creates one, not two.
    client_key = models.UUIDField(null=True, blank=True, editable=False)
    # A second record merged into another (customers.merge): kept, archived, for its number and
    # address to say where it went and for 「元に戻す」; deleted with the record it went into.
    # Retention (customers.retention): listed to be erased on this date unless kept; kept by a tap.
    retention_due_on = models.DateField(null=True, blank=True, editable=False)
    retention_kept_at = models.DateTimeField(null=True, blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, editable=False, related_name="+"
    )

    objects = ScopedManager(salon="salon", _manager_class=models.Manager.from_queryset(CustomerQuerySet))

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["kana_sort", "id"]
        indexes = [
            models.Index(fields=["salon", "archived_at", "kana_sort", "id"], name="customer_kana_order"),
            models.Index(fields=["salon", "archived_at", "last_visit_on"], name="customer_visit_order"),
            # The everyday list (customers not archived) read straight from the index however many
            # customers the salon has. On PostgreSQL, migration 0004 adds the same for the
            # last-visit order (NULLS LAST, which SQLite cannot index) and trigram indexes for search.
            models.Index(
                "salon", "kana_sort", "id", name="customer_active_kana", condition=models.Q(archived_at=None)
            ),
            models.Index(
                fields=["salon", "birthday_md"],
                name="customer_birthday_md",
                condition=models.Q(birthday_md__isnull=False),
            ),
            # The customers the retention period lists (customers.retention): few, soonest first.
            models.Index(
                fields=["salon", "retention_due_on"],
                name="customer_retention_due",
                condition=models.Q(retention_due_on__isnull=False),
            ),
            # Likely duplicates: each key looked up within the salon among customers not archived
            # (whole indexes: SQLite cannot tell that a lookup of a value excludes the empty key, so
            # it would not use partial ones; and with archived_at it prefers them to the list's).
            *(
                models.Index(fields=["salon", key, "archived_at"], name=f"customer_{key}")
                for key in ("dup_phone", "dup_email", "dup_name")
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["salon", "client_key"], name="customer_create_once"),
            models.UniqueConstraint(fields=["salon", "number"], name="customer_number_once"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("staff:customer_detail", kwargs={"pk": self.pk})

    def refresh_search_fields(self) -> None:
        self.kana = normalize_kana(self.kana)
        self.kana_sort = kana_sort_key(self.kana)
        self.phone_digits = " ".join(filter(None, (digits_only(self.phone), digits_only(self.other_phone))))
        self.search_text = normalize_search(f"{self.name} {self.kana}")
        self.birthday_md = self.birthday.month * 100 + self.birthday.day if self.birthday else None
        for key, value in duplicate_keys(self).items():
            setattr(self, key, value)

    @property
    def number_display(self) -> str:
        return number_text(self.number)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class DuplicatePair(models.Model):
    """Two customers of one salon that look like one person (first has the lower id), with why;
    kept so the list can count them and staff can set a pair aside (「別人として扱う」)."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    first = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    reasons = models.JSONField(default=list)  # keys of customers.duplicates.REASONS, strongest first
    strong = models.BooleanField(default=False)
    found_at = models.DateTimeField(auto_now_add=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(salon="salon")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["salon", "first", "second"], name="duplicate_pair_once")
        ]
        indexes = [
            models.Index(
                fields=["salon", "strong", "id"], name="duplicate_open", condition=models.Q(dismissed_at=None)
            ),
            models.Index(fields=["second"], name="duplicate_second"),
        ]

    def __str__(self):
        return f"{self.first_id} / {self.second_id}"

    @property
    def people(self) -> tuple[Customer, Customer]:
        return (self.first, self.second)

    @property
    def reason_text(self) -> str:
        return "、".join(
            str(DUPLICATE_REASONS[reason]) for reason in self.reasons if reason in DUPLICATE_REASONS
        )


class CustomerMerge(models.Model):
    """Record B merged into record A: what moved, A's details before, so that the owner can undo
    it for UNDO_DAYS (customers.merge)."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="merges_in")
    source = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    source_number = models.PositiveIntegerField(null=True, blank=True)
    source_name = models.CharField(max_length=60)
    target_before = models.JSONField(default=dict)  # A's fields the merge changed, as they were
    target_after = models.JSONField(default=dict)  # and as the merge set them
    source_archived_at = models.DateTimeField(null=True, blank=True)
    moved = models.JSONField(default=dict)  # part model label -> {"ids": [...], "dropped": [...]}
    audit_ids = models.JSONField(default=list)  # the log's entries about B, now about A
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(salon="salon")

    class Meta:
        ordering = ["-merged_at", "-pk"]

    def __str__(self):
        return f"{self.source_id} → {self.target_id}"

    @property
    def source_number_display(self) -> str:
        return number_text(self.source_number)
