"""The reminder the day before an appointment: a notice to the customer's app (pushed where they
allowed reminders), posted once whichever worker takes it, and never for an appointment that is no
longer booked."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from linking.models import Device
from notices.models import Notice, NoticeSource
from notices.services import notices_create_many
from salons.models import Salon

from .models import Appointment, AppointmentState


def reminder_text(appointment: Appointment) -> tuple[str, str]:
    start = timezone.localtime(appointment.starts_at)
    when = f"{formats.date_format(start.date(), 'MONTH_DAY_FORMAT')} {start:%H:%M}"
    title = _("Your appointment tomorrow")
    if appointment.staff is not None:
        body = _("We look forward to seeing you at %(when)s, with %(staff)s.") % {
            "when": when,
            "staff": appointment.staff.display_name,
        }
    else:
        body = _("We look forward to seeing you at %(when)s.") % {"when": when}
    if appointment.menu_lines:
        body += "\n" + _("Menu: %(menus)s") % {"menus": appointment.menu_names}
    return title, body


# Reminders are posted this many at a time, each batch in one transaction of a constant number of
# queries, whatever its size.
SEND_BATCH = 100


def reminders_due(*, salon: Salon, now: datetime.datetime) -> QuerySet[Appointment]:
    """Tomorrow's booked appointments not reminded yet, once the salon's reminder time has come today."""
    if salon.reminder_time is None:
        return Appointment.objects.none()
    local = timezone.localtime(now)
    if local.time() < salon.reminder_time:
        return Appointment.objects.none()
    tomorrow = local.date() + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time()))
    return (
        Appointment.objects.filter(
            state=AppointmentState.BOOKED,
            reminded_at__isnull=True,
            starts_at__gte=start,
            starts_at__lt=start + datetime.timedelta(days=1),
        )
        # Only customers a reminder can reach: with a phone linked now.
        .filter(Exists(Device.objects.filter(customer=OuterRef("customer"), revoked_at__isnull=True)))
        .order_by("starts_at", "pk")
    )


def reminders_send(*, salon: Salon, now: datetime.datetime) -> int:
    """Post the due reminders, each once whichever worker takes it: a batch's appointments are held
    (those another worker holds are skipped, a cancellation waits) and marked reminded in the
    transaction that writes their notices. Returns how many were posted."""
    posted = 0
    while True:
        with transaction.atomic():
            due = list(
                reminders_due(salon=salon, now=now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("customer", "staff")[:SEND_BATCH]
            )
            if not due:
                return posted
            notices = []
            with translation.override(settings.LANGUAGE_CODE):
                for appointment in due:
                    title, body = reminder_text(appointment)
                    notices.append(
                        Notice(
                            salon=salon,
                            title=title,
                            body=body,
                            starts_at=now,
                            ends_at=appointment.ends_at,
                            customer=appointment.customer,
                            source=NoticeSource.REMINDER,
                        )
                    )
            for appointment, notice in zip(due, notices_create_many(notices=notices), strict=True):
                appointment.reminded_at, appointment.reminder_notice = now, notice
            Appointment.objects.bulk_update(due, ["reminded_at", "reminder_notice"])
        posted += len(due)
        if len(due) < SEND_BATCH:
            return posted
