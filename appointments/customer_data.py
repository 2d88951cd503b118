"""A customer's appointments, in their export and their erase."""

from django.utils.translation import gettext_lazy as _

from privacy.parts import CustomerDataPart, Erased, ids, register, when

from .models import Appointment, AppointmentRequest


@register
class Appointments(CustomerDataPart):
    models = ("appointments.Appointment", "appointments.AppointmentRequest")
    document = "appointments.json"
    contents = ((document, _("your appointments and your requests from the app")),)
    erase_order = 5

    def export(self, customer, plan, prefix: str) -> dict:
        appointments = [
            {
                "starts_at": when(appointment.starts_at),
                "ends_at": when(appointment.ends_at),
                "staff": appointment.staff.display_name if appointment.staff else None,
                "menus": [line.get("name") for line in appointment.menu_lines],
                "state": appointment.get_state_display(),
                "note": appointment.note,
            }
            for appointment in Appointment.objects.filter(customer=customer).select_related("staff")
        ]
        requests = [
            {
                "asked_at": when(asked.created_at),
                "times": asked.times,
                "menus": [line.get("name") for line in asked.menu_lines],
                "note": asked.note,
                "state": asked.get_state_display(),
                "reply": asked.reply,
                # A request for another time: the appointment it asked to move, as booked then.
                "moves_appointment_at": when(asked.moves.starts_at) if asked.moves else None,
            }
            for asked in AppointmentRequest.objects.filter(customer=customer).select_related("moves")
        ]
        return {"appointments": appointments, "requests": requests}

    def audit_targets(self, customer) -> dict[str, set[str]]:
        return {
            "appointment": ids(Appointment.objects.filter(customer=customer)),
            "appointmentrequest": ids(AppointmentRequest.objects.filter(customer=customer)),
        }

    def erase(self, customer) -> Erased:
        asked, _deleted = AppointmentRequest.objects.filter(customer=customer).delete()
        count, _deleted = Appointment.objects.filter(customer=customer).delete()
        return Erased(counts={"appointments": count, "appointment requests": asked})
