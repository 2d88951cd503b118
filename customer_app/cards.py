"""The cards above the customer's karte list: the salon's message, the next visit with its booking
link, and the counselling sheet to fill in. The app and the staff preview build them here, so the
preview shows what the phone shows."""

from counselling.selectors import sheet_is_open
from kartes.selectors import next_visit
from salons.selectors import salon_card


def home_cards(*, salon, customer) -> dict:
    return {
        "next_visit": next_visit(customer=customer),
        "card": salon_card(salon=salon),
        "sheet_open": sheet_is_open(salon=salon),
    }
