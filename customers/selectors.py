from .models import Customer


def first_customer() -> Customer | None:
    """The first customer in あいうえお order, as the app lists them (for previews)."""
    return Customer.objects.filter(archived_at__isnull=True).order_by("kana_sort", "id").first()
