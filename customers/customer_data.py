"""The customer's own record in their export. The row itself is deleted last, by privacy."""

import datetime

from django.utils.translation import gettext_lazy as _

from privacy.parts import CustomerDataPart, register, when

from .models import Customer


@register
class CustomerRecord(CustomerDataPart):
    # Likely-duplicate pairs and merges name the customer; they go with the row (nothing to export).
    models = ("customers.Customer", "customers.DuplicatePair", "customers.CustomerMerge")
    document = "customer.json"
    contents = ((document, _("your details as the salon recorded them (the staff memo included)")),)
    erase_order = 0

    def export(self, customer: Customer, plan, prefix: str) -> dict:
        fields = (
            ("customer_number", customer.number_display),
            ("name", customer.name),
            ("furigana", customer.kana),
            ("phone", customer.phone),
            ("other_phone", customer.other_phone),
            ("email", customer.email),
            ("birthday", customer.birthday),
            ("gender", customer.gender),
            ("postcode", customer.postcode),
            ("address", customer.address),
            ("allergies_and_cautions", customer.allergies),
            ("staff_memo", customer.memo),
            ("last_visit", customer.last_visit_on),
            ("archived_at", customer.archived_at),
            ("created_at", customer.created_at),
        )
        return {
            name: (when(value) if isinstance(value, datetime.date | datetime.datetime) else value)
            for name, value in fields
        }

    def audit_targets(self, customer: Customer) -> dict[str, set[str]]:
        return {"customer": {str(customer.pk)}}
