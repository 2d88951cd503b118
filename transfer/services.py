import datetime
import itertools
import re
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.models import AppointmentSource
from appointments.services import BadTimes, SlotTaken, appointment_book
from audit.services import audit_log
from common.actors import Actor
from common.text import digits_only
from customers.duplicates import duplicates_refresh_salon
from customers.models import Customer
from customers.services import customer_numbers_reserve
from menus.models import MenuItem
from salons.models import Salon, StaffMember

from . import actions, appointment_csv, customer_csv
from .customer_csv import ImportRefused, Parsed
from .models import CustomerImport

IMPORT_KEPT_FOR = datetime.timedelta(days=1)
BATCH = 1000


class ImportChanged(Exception):
    """The salon's customers changed between the preview and the go-ahead: the preview is shown again."""

    def __init__(self, parsed: Parsed):
        super().__init__("preview out of date")
        self.parsed = parsed


def customer_import_stage(*, salon: Salon, actor: Actor, filename: str, data: bytes) -> CustomerImport:
    """Keep an uploaded CSV for its preview; raises ImportRefused when the file cannot be read at all."""
    text, encoding = customer_csv.decode(data)
    customer_import_preview(text=text)  # refuses a file without the name and furigana columns
    return CustomerImport.objects.create(
        salon=salon, created_by=actor, filename=filename[:200], encoding=encoding, text=text
    )


def _salon_keys() -> dict[str, Any]:
    """The salon's customer numbers and mobile numbers, which a file's rows are checked against."""
    numbers = set(Customer.objects.exclude(number=None).values_list("number", flat=True))
    phones = {
        digits_only(phone): name
        for phone, name in Customer.objects.exclude(phone="").values_list("phone", "name")
    }
    return {"existing_numbers": numbers, "existing_phones": phones}


def _rows_per_batch() -> int:
    """About BATCH, in whole inserts of the database's largest size (SQLite takes fewer rows each)."""
    fields = [field for field in Customer._meta.concrete_fields if not field.primary_key]
    per_insert = connection.ops.bulk_batch_size(fields, [None] * BATCH)
    return max(per_insert, BATCH // per_insert * per_insert)


def customer_import_preview(*, text: str) -> Parsed:
    """Every row of the file checked against the file itself and the salon's customers now."""
    return customer_csv.parse(text, **_salon_keys())


def customer_import_run(
    *, staged: CustomerImport, actor: Actor, expected: int, accept_shared: bool = True
) -> int:
    """Add every valid row of the file as a customer, in one transaction: all of them or none.
    Rows whose mobile number another row or customer has too are added only with `accept_shared`.

    `expected` is how many rows the preview said would be added; if the salon's customers changed
    since (someone added one with the same number), ImportChanged carries the new preview. The
    file is walked twice, to count and then to add BATCH customers at a time: no more than a
    batch of its rows is held at once.
    """
    with transaction.atomic():
        salon = staged.salon
        first = customer_numbers_reserve(salon=salon)  # holds the salon until the import commits
        keys = _salon_keys()
        parsed = customer_csv.parse(staged.text, **keys)
        if parsed.to_import(accept_shared=accept_shared) != expected:
            raise ImportChanged(parsed)
        # Rows without a number are numbered after the salon's numbers and those the file gives.
        next_number = max(first - 1, parsed.highest_number) + 1
        _columns, _ignored, rows = customer_csv.parse_rows(staged.text, **keys)
        wanted = customer_csv.importable(rows, accept_shared=accept_shared)
        imported = 0
        while batch := list(itertools.islice(wanted, _rows_per_batch())):
            customers = []
            for row in batch:
                number = row.data.pop("number")
                if number is None:
                    number, next_number = next_number, next_number + 1
                customer = Customer(salon=salon, number=number, **row.data)
                customer.refresh_search_fields()
                customers.append(customer)
            Customer.objects.bulk_create(customers)
            imported += len(customers)
        duplicates_refresh_salon(salon, prune=False)  # among the new rows and against those already there
        audit_log(
            salon=salon,
            actor=actor,
            action=actions.CUSTOMER_IMPORT,
            target=staged,
            summary=staged.filename,
            data={
                "imported": imported,
                "skipped": parsed.rows - imported,
                "shared_mobile": parsed.warned_count if accept_shared else 0,
                "encoding": staged.encoding,
            },
        )
        CustomerImport.objects.filter(pk=staged.pk).update(
            imported_at=timezone.now(), imported_count=imported, text=""
        )
    return imported


def customer_imports_purge(*, before: datetime.datetime) -> int:
    """Forget uploaded files not imported within a day (run for all salons, scopes disabled)."""
    stale = CustomerImport.objects.filter(created_at__lt=before)
    count = stale.exclude(text="").update(text="")
    stale.filter(imported_at__isnull=True).delete()
    return count


__all__ = [
    "ImportChanged",
    "ImportRefused",
    "customer_import_preview",
    "customer_import_run",
    "customer_import_stage",
]


def appointment_import(*, salon: Salon, actor: Actor, text: str, commit: bool) -> list[Any]:
    """Check every row (customer found, staff member known, the time free); with `commit`, book the
    rows that passed, one by one, each clash written on its row. Returns the rows."""
    rows = appointment_csv.parse(text, tz=timezone.get_current_timezone())
    by_number = {c.number: c for c in Customer.objects.exclude(number=None)}
    by_phone = {digits_only(c.phone): c for c in Customer.objects.exclude(phone="")}
    staff = {m.display_name.replace(" ", ""): m for m in StaffMember.objects.filter(is_active=True)}
    menus = {m.name: m for m in MenuItem.objects.filter(archived_at__isnull=True)}
    for row in rows:
        values = row.values
        number = digits_only(values.get("number", ""))
        row.customer = by_number.get(int(number)) if number else None
        if row.customer is None and values.get("phone"):
            row.customer = by_phone.get(digits_only(values["phone"]))
        if row.customer is None:
            row.errors.append(_("No customer with this number or phone. Add the customer first."))
        name = values.get("staff", "").replace(" ", "").replace("\u3000", "")
        row.staff = staff.get(name) if name else None
        if name and row.staff is None:
            row.errors.append(_("No staff member is called %(name)s.") % {"name": values["staff"]})
        names = [part.strip() for part in re.split(r"[・、,/]", values.get("menus", "")) if part.strip()]
        row.menus = [menus[part] for part in names if part in menus]
        if commit and not row.errors and row.starts_at is not None:
            try:
                appointment_book(
                    salon=salon,
                    actor=actor,
                    customer=row.customer,
                    staff=row.staff,
                    starts_at=row.starts_at,
                    ends_at=row.starts_at + datetime.timedelta(minutes=row.minutes),
                    menus=row.menus,
                    note=values.get("note", "")[:1000],
                    source=appointment_csv.source_of(values.get("source", "")) or AppointmentSource.PHONE,
                )
            except SlotTaken:
                row.errors.append(_("The staff member already has an appointment then: not booked."))
            except BadTimes:
                row.errors.append(_("The length must be minutes between 5 and 600."))
            else:
                row.booked = True
    return rows
