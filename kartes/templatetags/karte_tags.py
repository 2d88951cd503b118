from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def visible_image_url(context, item, size):
    """The URL of an item's image for whoever is looking: the customer's phone or salon staff."""
    app_slug = context.get("app_slug")
    if app_slug:
        return reverse("customer_app:image", kwargs={"slug": app_slug, "pk": item.image_id, "size": size})
    return reverse("staff:image", kwargs={"pk": item.image_id, "size": size})


@register.filter
def first_public_photo(karte):
    """The first public photo of a karte from visible_kartes, for its thumbnail."""
    return next((item for item in karte.public_items if item.kind == "photo"), None)
