"""A customer's appointments, in their export and their erase."""

from django.utils.translation import gettext_lazy as _

from privacy.parts import CustomerDataPart, Erased, ids, register, when

from .models import Appointment


@register
class Appointments(CustomerDataPart):
    models = ("appointments.Appointment",)
    document = "appointments.json"
    contents = ((document, _("your appointments: when, with whom, which menus, and how each went")),)
    erase_order = 5

    def export(self, customer, plan, prefix: str) -> list[dict]:
        return [
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

    def audit_targets(self, customer) -> dict[str, set[str]]:
        return {"appointment": ids(Appointment.objects.filter(customer=customer))}

    def erase(self, customer) -> Erased:
        count, _deleted = Appointment.objects.filter(customer=customer).delete()
        return Erased(counts={"appointments": count})
