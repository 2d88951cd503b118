from django.contrib.postgres.fields import ArrayField
from django.db import connections, models
from django.db.models import Func
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from common.text import digits_only, looks_like_phone, normalize_kana, normalize_phone, normalize_search
from salons.models import Salon

# Queries this short have no trigram to look up; they use the index of pieces instead.
SHORT_QUERY = 2
GRAMS: ArrayField = ArrayField(models.TextField())


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
            return self.filter(phone_digits__contains=digits)
        if len(folded) <= SHORT_QUERY and connections[self.db].vendor == "postgresql":
            # Too short for a trigram: the salon's one- and two-character pieces (migration 0005).
            grams = Func("salon_id", "search_text", function="karte_search_grams", output_field=GRAMS)
            return self.alias(grams=grams).filter(grams__contains=[f"{salon.pk}:{folded}"])
        return self.filter(search_text__contains=folded)


class Customer(models.Model):
    salon = models.ForeignKey(
        Salon, on_delete=models.CASCADE, related_name="customers", verbose_name=_("salon")
    )
    name = models.CharField(_("name"), max_length=60)
    kana = models.CharField(_("furigana"), max_length=60)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    memo = models.TextField(_("staff memo"), blank=True, help_text=_("Only staff ever see this."))
    last_visit_on = models.DateField(_("last visit"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Folded copies for search and あいうえお order, kept in step by refresh_search_fields().
    kana_sort = models.CharField(max_length=60, editable=False, default="")
    search_text = models.CharField(max_length=200, editable=False, default="")
    phone_digits = models.CharField(max_length=20, editable=False, default="")
    # Sent by the form that creates it, so that a double tap or a resend creates one, not two.
    client_key = models.UUIDField(null=True, blank=True, editable=False)

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
        ]
        constraints = [models.UniqueConstraint(fields=["salon", "client_key"], name="customer_create_once")]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("staff:customer_detail", kwargs={"pk": self.pk})

    def refresh_search_fields(self) -> None:
        self.kana = normalize_kana(self.kana)
        self.kana_sort = self.kana.replace(" ", "")
        self.phone_digits = digits_only(self.phone)
        self.search_text = normalize_search(f"{self.name} {self.kana}")

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None
