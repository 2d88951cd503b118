import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from common.fields import SalonOneToOneField
from customers.models import Customer
from salons.models import Salon, StaffMember


class AppointmentState(models.TextChoices):
    BOOKED = "booked", _("Booked")
    ARRIVED = "arrived", _("Arrived")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")


# The longest an appointment may be. Reads of a time range start their index scan this far before the
# range (an appointment ending inside it began at most this long ago), so they stay as quick with
# 200,000 appointments as with 2,000.
LONGEST = datetime.timedelta(hours=12)

# The states that hold the staff member's time: two of these never overlap for one staff member.
HOLDS_TIME = (AppointmentState.BOOKED, AppointmentState.ARRIVED, AppointmentState.DONE)


class AppointmentSource(models.TextChoices):
    COUNTER = "counter", _("At the counter")
    PHONE = "phone", _("Phone")
    APP = "app", _("App")
    HPB = "hpb", _("Hot Pepper Beauty")
    OTHER = "other", _("Other")


class Appointment(models.Model):
    """A booked visit: who, with whom (or 指名なし), which menus, from when to when, and how it went.

    The menus are kept as they were when booked (name, price, minutes), as a karte keeps its menus.
    """

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="appointments", verbose_name=_("customer")
    )
    staff = models.ForeignKey(
        StaffMember,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("staff"),
    )
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    state = models.CharField(
        _("state"), max_length=16, choices=AppointmentState.choices, default=AppointmentState.BOOKED
    )
    source = models.CharField(
        _("booked through"),
        max_length=16,
        choices=AppointmentSource.choices,
        default=AppointmentSource.COUNTER,
    )
    menu_lines = models.JSONField(default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Who cancelled, marked the no-show or the arrival, and when: the last change of state.
    state_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state_changed_at = models.DateTimeField(null=True, blank=True)
    # When the reminder the day before was posted: set in the same transaction as the notice, so that
    # one reminder goes out, whichever worker takes it.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The reminder posted, withdrawn from the app if the appointment is cancelled or moved after it.
    reminder_notice = models.ForeignKey(
        "notices.Notice", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    # Sent by the form that creates it, so that a double tap or a resend books once.
    client_key = models.UUIDField(null=True, blank=True, editable=False)

    objects = ScopedManager(salon="salon")

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["salon", "starts_at"], name="appointment_salon_start"),
            models.Index(fields=["customer", "starts_at"], name="appointment_customer_start"),
            models.Index(fields=["staff", "starts_at"], name="appointment_staff_start"),
            # Booked since the last roll-up (analytics: 次回予約率).
            models.Index(fields=["salon", "created_at"], name="appointment_salon_made"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="appointment_ends_after_start"
            ),
            models.UniqueConstraint(fields=["salon", "client_key"], name="appointment_create_once"),
        ]

    def __str__(self):
        return f"{self.customer} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def holds_time(self) -> bool:
        return self.state in HOLDS_TIME

    @property
    def menu_names(self) -> str:
        return "、".join(line.get("name", "") for line in self.menu_lines)


class CalendarFeed(models.Model):
    """A staff member's own appointments as a calendar feed at a secret address, for their phone's
    calendar. Only the SHA-256 of the address's token is kept; a new address ends the old one."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    member = SalonOneToOneField(StaffMember, on_delete=models.CASCADE, related_name="calendar_feed")
    # Looked up alone: the feed's address names no salon.
    token_sha256 = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["salon", "member"], name="calendar_feed_once"),
            models.UniqueConstraint(fields=["salon", "token_sha256"], name="calendar_feed_token_once"),
        ]

    def __str__(self):
        return f"calendar of {self.member}"


class StaffShift(models.Model):
    """A staff member's hours on one weekday. A staff member with no shifts at all works the salon's
    hours every day; one with shifts is off on the weekdays without one."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="shifts")
    weekday = models.PositiveSmallIntegerField()  # Monday 0 … Sunday 6, as datetime.date.weekday()
    starts_at = models.TimeField()
    ends_at = models.TimeField()

    objects = ScopedManager(salon="salon")

    class Meta:
        ordering = ["weekday"]
        constraints = [
            models.UniqueConstraint(fields=["salon", "member", "weekday"], name="shift_once_a_weekday"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.member} {self.weekday} {self.starts_at}–{self.ends_at}"


class ShiftException(models.Model):
    """One date unlike the week: a day off, or other hours."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="shift_exceptions")
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("from"), null=True, blank=True)  # both empty: the day off
    ends_at = models.TimeField(_("until"), null=True, blank=True)

    objects = ScopedManager(salon="salon")

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["salon", "member", "date"], name="shift_exception_once_a_day")
        ]

    def __str__(self):
        return f"{self.member} {self.date}"

    @property
    def is_day_off(self) -> bool:
        return self.starts_at is None


class BookingMode(models.TextChoices):
    OFF = "off", _("Not in the app")
    REQUESTS = "requests", _("Requests the salon confirms (仮予約)")
    INSTANT = "instant", _("Open times are booked at once; others are requests")


class RequestState(models.TextChoices):
    PENDING = "pending", _("Waiting for the salon")
    PROPOSED = "proposed", _("The salon proposed another time")
    CONFIRMED = "confirmed", _("Booking confirmed")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_REQUEST_STATES = (RequestState.PENDING, RequestState.PROPOSED)


class AppointmentRequest(models.Model):
    """A booking asked for in the app: menus, a staff member or none, up to three preferred times.
    The salon confirms one of them, proposes another, or declines with a message. A request that
    `moves` an appointment asks for another time for it: confirmed, that appointment is moved (its
    time stays held until then); withdrawn when the customer asks again or the appointment ends."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="appointment_requests")
    staff = models.ForeignKey(StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    menu_lines = models.JSONField(default=list, blank=True)
    minutes = models.PositiveSmallIntegerField(default=60)
    times = models.JSONField(default=list)  # ISO datetimes, the customer's order of preference
    note = models.TextField(blank=True)
    state = models.CharField(max_length=16, choices=RequestState.choices, default=RequestState.PENDING)
    proposed_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(blank=True)
    appointment = models.ForeignKey(
        Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moves = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, null=True, blank=True, related_name="change_requests"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(salon="salon")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["salon", "state", "created_at"], name="request_salon_state"),
            # The request list's 「回答済み」: the newest answers first, however many the salon has had.
            models.Index(
                fields=["salon", "answered_at", "id"],
                name="request_salon_answered",
                condition=models.Q(answered_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.customer} {self.created_at:%Y-%m-%d}"

    @property
    def preferred(self) -> list[datetime.datetime]:
        return [datetime.datetime.fromisoformat(value) for value in self.times]

    @property
    def menu_names(self) -> str:
        return "、".join(line.get("name", "") for line in self.menu_lines)
