"""What the activity log records of appointments."""

from django.utils.translation import gettext_lazy as _

from audit.actions import Action

APPOINTMENT_BOOK = Action("appointment.book", _("Appointment booked"))
APPOINTMENT_CHANGE = Action("appointment.change", _("Appointment changed"))
SHIFTS_CHANGE = Action("appointment.shifts", _("Shifts changed"))
APPOINTMENT_STATE = Action("appointment.state", _("Appointment state changed"))
