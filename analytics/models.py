from django.db import models
from django_scopes import ScopedManager

from salons.models import Salon


class MonthlyFigures(models.Model):
    """One salon's month, rolled up by the task queue, so that the 「分析」 page reads twelve rows
    however many kartes the salon keeps."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day
    # Customers who visited in the twelve months up to the month's end, and those of them linked then.
    active = models.PositiveIntegerField(default=0)
    linked = models.PositiveIntegerField(default=0)
    # Customers who visited in the month, and those who came back within 90 days of such a visit,
    # split by whether their phone was linked at the visit.
    visitors_linked = models.PositiveIntegerField(default=0)
    returned_linked = models.PositiveIntegerField(default=0)
    visitors_unlinked = models.PositiveIntegerField(default=0)
    returned_unlinked = models.PositiveIntegerField(default=0)
    # Whether 90 days have passed since the month ended: until then its repeat rate is still growing.
    repeat_final = models.BooleanField(default=False)
    # Notices that started in the month: the customers they reach (as the notice list counts them),
    # and how many of those read them.
    notices = models.PositiveIntegerField(default=0)
    reach = models.PositiveIntegerField(default=0)
    reads = models.PositiveIntegerField(default=0)
    # Of those, the notices pushed to at least one phone: whether push gets notices read.
    reach_pushed = models.PositiveIntegerField(default=0)
    reads_pushed = models.PositiveIntegerField(default=0)
    # Visits (kartes) in the month, and those that left with the next visit booked: an appointment
    # made by the end of the visit's day for a later day (次回予約率).
    visits = models.PositiveIntegerField(default=0)
    visits_next_booked = models.PositiveIntegerField(default=0)
    # Counselling sheets sent in the month, and those of them sent from the app by linked customers.
    sheets = models.PositiveIntegerField(default=0)
    sheets_from_app = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    objects = ScopedManager(salon="salon")

    class Meta:
        ordering = ["month"]
        constraints = [models.UniqueConstraint(fields=["salon", "month"], name="monthly_figures_once")]

    def __str__(self):
        return f"{self.salon} {self.month:%Y-%m}"


class CustomerMonth(models.Model):
    """One customer's part in one month's figures: what the roll-up adds up, kept so that each night
    only the customers whose visits, phones or bookings changed are worked out again
    (analytics.services). A row exists only where the customer counts for something."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    active = models.BooleanField(default=False)  # visited in the twelve months up to the month's end
    linked = models.BooleanField(default=False)  # active, with a phone linked at the month's end
    visited_linked = models.BooleanField(default=False)  # a visit in the month with a phone linked
    returned_linked = models.BooleanField(default=False)  # … and back within 90 days of it
    visited_unlinked = models.BooleanField(default=False)
    returned_unlinked = models.BooleanField(default=False)
    visits = models.PositiveSmallIntegerField(default=0)
    visits_next_booked = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(salon="salon")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["salon", "month", "customer"], name="customer_month_once")
        ]
        indexes = [models.Index(fields=["salon", "customer", "month"], name="customer_month_customer")]

    def __str__(self):
        return f"{self.customer_id} {self.month:%Y-%m}"


class RollUpState(models.Model):
    """When a salon's figures were last rolled up (changes since then are worked in next), held
    while a roll-up runs so that two never work on one salon at once."""

    salon = models.OneToOneField(Salon, on_delete=models.CASCADE, related_name="+")
    changes_since = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(salon="salon")

    def __str__(self):
        return f"{self.salon} since {self.changes_since}"
