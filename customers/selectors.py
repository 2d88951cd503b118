from django.db.models import F, QuerySet
from django.db.models.expressions import Combinable
from django.db.models.functions import Lower

from salons.models import Salon

from .models import Customer


def first_customer() -> Customer | None:
    """The first customer in あいうえお order, as the app lists them (for previews)."""
    return Customer.objects.filter(archived_at__isnull=True).order_by("kana_sort", "id").first()


def customers_matching(*, salon: Salon, query: str, archived: bool) -> QuerySet[Customer]:
    """The salon's customers (archived ones, or the others) that the search box's words find."""
    customers = Customer.objects.filter(archived_at__isnull=not archived)
    if archived:
        customers = customers.filter(merged_into__isnull=True)  # merged ones live on in another record
    return customers.search(query, salon=salon)


# The columns a row of the customer list shows: its rows read these alone.
LISTED = ("id", "salon_id", "number", "name", "kana", "phone", "last_visit_on")


def customers_in_order(customers: QuerySet[Customer], *, sort: str) -> QuerySet[Customer]:
    """あいうえお order, or the latest visit first ("visit"), as the list's index serves them."""
    customers = customers.only(*LISTED)
    if sort == "visit":
        return customers.order_by(F("last_visit_on").desc(nulls_last=True), "kana_sort", "id")
    return customers.order_by("kana_sort", "id")


def matching_ids(matches: QuerySet[Customer], *, sort: str, cap: int) -> list[int]:
    """The ids of a search's matches in list order, at most cap + 1 of them, read in one pass.

    Sorted by an expression, so the database filters first and sorts the matches, rather than
    walking the whole list in index order looking for them: a short query that no index can serve
    is one scan of the salon's customers, not one for the count and another for the order.
    """
    kana = Lower("kana_sort")
    order: list[str | Combinable] = [kana, "id"]
    if sort == "visit":
        order = [F("last_visit_on").desc(nulls_last=True), *order]
    return list(matches.order_by(*order).values_list("pk", flat=True)[: cap + 1])


def customers_by_id(ids: list[int]) -> QuerySet[Customer]:
    """The list's rows for a page of search results."""
    return Customer.objects.filter(pk__in=ids).only(*LISTED)


def merged_by_number(query: str) -> Customer | None:
    """A 顧客番号 typed that belonged to a record merged into another: that record, to say where
    it went (its number is no longer on the list)."""
    digits = query.strip()
    if not digits.isdigit():
        return None
    return (
        Customer.objects.filter(number=int(digits), merged_into__isnull=False)
        .select_related("merged_into")
        .first()
    )
