from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from customers.models import Customer
from salons.models import Salon


class NoticeState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    LIVE = "live", _("Showing")
    ENDED = "ended", _("Ended")


class NoticeSource(models.TextChoices):
    STAFF = "staff", _("Written by staff")
    FOLLOWUP = "followup", _("Automatic follow-up")
    REMINDER = "reminder", _("Reminder")


class Notice(models.Model):
    """A message from the salon, shown in the app during its display period.

    A broadcast is one row however many customers there are; a one-to-one notice names
    its customer.
    """

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("message"), max_length=4000)
    starts_at = models.DateTimeField(_("shown from"), default=timezone.now)
    ends_at = models.DateTimeField(_("shown until"))
    customer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("customer"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who posted it: staff, or the salon's automatic messages (the owner chooses which may be pushed).
    source = models.CharField(max_length=16, choices=NoticeSource.choices, default=NoticeSource.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Sent by the form that creates it, so that a double tap or a resend creates one, not two.
    client_key = models.UUIDField(null=True, blank=True, editable=False)

    objects = ScopedManager(salon="salon")

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["salon", "customer", "starts_at", "ends_at"], name="notice_audience_period"),
            models.Index(fields=["salon", "-starts_at", "-id"], name="notice_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="notice_period"
            ),
            models.UniqueConstraint(fields=["salon", "client_key"], name="notice_create_once"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_broadcast(self) -> bool:
        return self.customer_id is None

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if now < self.starts_at:
            return NoticeState.SCHEDULED
        if now >= self.ends_at:
            return NoticeState.ENDED
        return NoticeState.LIVE

    def get_state_display(self) -> str:
        return str(NoticeState(self.state()).label)


class NoticeRead(models.Model):
    """One customer has read one notice; the salon's 閲覧数 counts these rows."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="reads")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="notice_reads")
    read_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(salon="salon")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["salon", "notice", "customer"], name="notice_read_once")
        ]
        indexes = [models.Index(fields=["customer", "notice"], name="notice_read_by_customer")]

    def __str__(self):
        return f"{self.customer_id} read {self.notice_id}"
