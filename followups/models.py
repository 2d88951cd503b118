from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from common.fields import SalonOneToOneField
from customers.models import Customer
from notices.models import Notice
from salons.models import Salon


class FollowUpKind(models.TextChoices):
    THANKS = "thanks", _("Thank-you after a visit")
    NEXT_VISIT = "next_visit", _("Time for the next visit")
    BIRTHDAY = "birthday", _("Birthday")
    LAPSED = "lapsed", _("Not seen for a while")


class FollowUpRule(models.Model):
    """One kind of automatic message of a salon: on or off, when, and its words."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=FollowUpKind.choices)
    enabled = models.BooleanField(_("send"), default=False)
    # Hours after the visit (thank-you), days after the expected visit (next visit), days without a
    # visit (lapsed); the birthday message goes on the day.
    delay = models.PositiveIntegerField(_("timing"), default=0)
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("message"))

    objects = ScopedManager(salon="salon")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["salon", "kind"], name="followup_rule_once")]

    def __str__(self):
        return f"{self.salon} {self.kind}"


class FollowUpStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")
    SKIPPED = "skipped", _("Not sent")


class FollowUp(models.Model):
    """One message to one customer at one time: planned when a visit is saved (or a birthday nears),
    sent once by the task queue as a notice to that customer only."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="followups")
    kind = models.CharField(max_length=16, choices=FollowUpKind.choices)
    # What it follows (the visit, the expected visit, the birthday): the rule's timing is added to it.
    base_at = models.DateTimeField()
    due_at = models.DateTimeField()
    # One message per occasion: thanks:karte:12, next_visit:karte:12, birthday:2027, lapsed:karte:12.
    key = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=FollowUpStatus.choices, default=FollowUpStatus.SCHEDULED)
    reason = models.CharField(max_length=32, blank=True)
    notice = SalonOneToOneField(Notice, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(salon="salon")

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["salon", "customer", "key"], name="followup_once"),
            models.UniqueConstraint(fields=["salon", "notice"], name="followup_notice_once"),
        ]
        indexes = [
            models.Index(fields=["due_at"], name="followup_due", condition=models.Q(status="scheduled")),
            models.Index(fields=["salon", "customer", "status"], name="followup_customer"),
        ]

    def __str__(self):
        return f"{self.customer} {self.kind} {self.due_at:%Y-%m-%d}"
