"""The reminder the day before an appointment: a notice to the customer's app (pushed where they
allowed reminders), posted once whichever worker takes it, and never for an appointment that is no
longer booked."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from linking.models import Device
from notices.models import NoticeSource
from notices.services import notice_create
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


def reminders_due(*, salon: Salon, now: datetime.datetime) -> list[Appointment]:
    """Tomorrow's booked appointments not reminded yet, once the salon's reminder time has come today."""
    if salon.reminder_time is None:
        return []
    local = timezone.localtime(now)
    if local.time() < salon.reminder_time:
        return []
    tomorrow = local.date() + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time()))
    return list(
        Appointment.objects.filter(
            state=AppointmentState.BOOKED,
            reminded_at__isnull=True,
            starts_at__gte=start,
            starts_at__lt=start + datetime.timedelta(days=1),
        )
        # Only customers a reminder can reach: with a phone linked now.
        .filter(Exists(Device.objects.filter(customer=OuterRef("customer"), revoked_at__isnull=True)))
        .select_related("customer", "staff")
    )


def reminder_send(*, appointment: Appointment, now: datetime.datetime) -> bool:
    """Post the reminder unless another worker did, or the appointment changed meanwhile."""
    with transaction.atomic():
        claimed = Appointment.objects.filter(
            pk=appointment.pk, reminded_at__isnull=True, state=AppointmentState.BOOKED
        ).update(reminded_at=now)
        if not claimed:
            return False
        with translation.override(settings.LANGUAGE_CODE):
            title, body = reminder_text(appointment)
        notice = notice_create(
            salon=appointment.salon,
            actor=None,
            title=title,
            body=body,
            starts_at=now,
            ends_at=appointment.ends_at,
            customer=appointment.customer,
            source=NoticeSource.REMINDER,
        )
        Appointment.objects.filter(pk=appointment.pk).update(reminder_notice=notice)
    return True


def reminders_send(*, salon: Salon, now: datetime.datetime) -> int:
    return sum(
        reminder_send(appointment=appointment, now=now) for appointment in reminders_due(salon=salon, now=now)
    )
