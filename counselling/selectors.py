"""Who may read what of the counselling sheets. Answers and signatures are for staff; a customer
sees their own last answers only where the salon chose to show them."""

import datetime
import zoneinfo

from django.db.models import Q, QuerySet

from common.text import digits_only, normalize_search
from customers.models import Customer
from salons.models import Salon

from .models import Question, ResponseStatus, Sheet, SheetResponse

# The karte editor shows a sheet sent up to this many days before the visit.
SHEET_BEFORE_VISIT = datetime.timedelta(days=14)
SUGGESTIONS = 5


def sheet_questions(*, salon: Salon) -> list[Question]:
    return list(Question.objects.filter(salon=salon))


def sheet_is_open(*, salon: Salon) -> bool:
    """Whether there is a sheet to fill in: it has at least one question."""
    return Question.objects.filter(salon=salon).exists()


def received_sheets(*, salon: Salon) -> QuerySet[SheetResponse]:
    """Sheets waiting for staff to file them, newest first."""
    return SheetResponse.objects.filter(salon=salon, status=ResponseStatus.RECEIVED).order_by(
        "-submitted_at", "-id"
    )


def recent_sheets(*, salon: Salon) -> QuerySet[SheetResponse]:
    return (
        SheetResponse.objects.filter(salon=salon)
        .exclude(status=ResponseStatus.RECEIVED)
        .select_related("customer")
        .order_by("-submitted_at", "-id")
    )


def customer_sheets(*, customer: Customer) -> QuerySet[SheetResponse]:
    return SheetResponse.objects.filter(customer=customer).order_by("-submitted_at", "-id")


def customer_suggestions(*, response: SheetResponse) -> list[Customer]:
    """Customers the sender may already be: the same mobile number, or the same name or furigana
    (however wide or in which kana it was typed). One query, a few rows."""
    match = Q(pk__in=[])
    digits = digits_only(response.phone)
    if len(digits) >= 10:
        match |= Q(phone_digits__contains=digits)
    for text in (response.name, response.kana):
        folded = normalize_search(text)
        if folded:
            match |= Q(search_text__contains=folded)
    return list(
        Customer.objects.filter(salon=response.salon).filter(match).order_by("kana_sort", "id")[:SUGGESTIONS]
    )


def customer_search(*, salon: Salon, query: str) -> list[Customer]:
    """Customers to file a sheet onto when none was suggested: the customer list's own search."""
    return list(Customer.objects.filter(archived_at=None).search(query, salon=salon)[: SUGGESTIONS * 2])


def visit_sheet(*, customer: Customer, day: datetime.date) -> SheetResponse | None:
    """The sheet the customer sent for the visit of that day: the latest one sent in the two weeks
    up to the end of the day, in the salon's time."""
    zone = zoneinfo.ZoneInfo(customer.salon.timezone)
    day_end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), zone)
    return (
        SheetResponse.objects.filter(
            customer=customer,
            submitted_at__lt=day_end,
            submitted_at__gte=day_end - datetime.timedelta(days=1) - SHEET_BEFORE_VISIT,
        )
        .order_by("-submitted_at", "-id")
        .first()
    )


def own_last_answers(*, customer: Customer) -> SheetResponse | None:
    """The customer's own last sheet, for the app — only where the salon shows customers their
    answers. The one read of sheets that reaches a phone."""
    sheet = Sheet.objects.filter(salon=customer.salon).first()
    if sheet is None or not sheet.shows_answers_to_customer:
        return None
    return SheetResponse.objects.filter(customer=customer).order_by("-submitted_at", "-id").first()
