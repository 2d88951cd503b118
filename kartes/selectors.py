from django.db.models import Prefetch, QuerySet

from customers.models import Customer

from .models import Karte, KarteItem


def karte_history(*, customer: Customer) -> QuerySet[Karte]:
    """Every karte of a customer, newest first, with all items, for staff."""
    return (
        Karte.objects.filter(customer=customer)
        .select_related("staff")
        .prefetch_related(
            Prefetch(
                "items", queryset=KarteItem.objects.select_related("image", "published_by__staff_member")
            )
        )
    )


def visible_kartes(*, customer: Customer) -> QuerySet[Karte]:
    """What the customer app shows: every karte's date and staff, and public items only.

    The staff preview (お客様の表示を確認) and the customer app both call this, so
    what staff check is what the phone gets.
    """
    public_items = KarteItem.objects.filter(is_public=True).select_related("image").order_by("position", "id")
    return (
        Karte.objects.filter(customer=customer)
        .select_related("staff")
        .prefetch_related(Prefetch("items", queryset=public_items, to_attr="public_items"))
        .order_by("-treatment_date", "-id")
    )
