from django.db.models import Prefetch

from .models import MenuCategory, MenuItem


def menu_catalogue(*, include_archived: bool = False) -> list[MenuCategory]:
    """The salon's categories in order, each with its items in order (`category.items.all()`)."""
    items = MenuItem.objects.order_by("position", "id")
    categories = MenuCategory.objects.order_by("position", "id")
    if not include_archived:
        items = items.filter(archived_at__isnull=True)
        categories = categories.filter(archived_at__isnull=True)
    return list(categories.prefetch_related(Prefetch("items", queryset=items)))
