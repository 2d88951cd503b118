from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kartes.models import DISPLAY_SIZES, RECIPE_COLUMNS
from kartes.selectors import visible_menu

register = template.Library()


@register.simple_tag(takes_context=True)
def visible_image_url(context, item, size):
    """The URL of an item's image for whoever is looking: the customer's phone or salon staff."""
    app_slug = context.get("app_slug")
    if app_slug:
        return reverse("customer_app:image", kwargs={"slug": app_slug, "pk": item.image_id, "size": size})
    return reverse("staff:image", kwargs={"pk": item.image_id, "size": size})


@register.simple_tag(takes_context=True)
def visible_image_srcset(context, item, *sizes):
    """A srcset of the item's display copies, each with its true width, for the browser to pick from."""
    asset = item.image
    longest = max(asset.width, asset.height)
    entries: dict[int, str] = {}
    for size in sizes:
        stored = asset.copy_name(size)
        width = round(asset.width * min(1.0, DISPLAY_SIZES[stored] / longest))
        # A small photo's larger copies are no wider: one entry per width.
        entries.setdefault(width, f"{visible_image_url(context, item, stored)} {width}w")
    return ", ".join(entries.values())


# The width of a photo on the customer's karte page (and in the staff preview of it): the app's column
# (at most 560 px) less its padding and the karte card's, 64 px in all. Keep in step with app.css.
KARTE_PHOTO_SIZES = "(max-width: 560px) calc(100vw - 64px), 496px"


@register.simple_tag
def karte_photo_sizes() -> str:
    return KARTE_PHOTO_SIZES


@dataclass(frozen=True)
class CompareChoice:
    """One pair the slider may show: this visit's photo (`after`) against `before`, its own before
    photo of the same angle or an earlier visit's photo of that angle."""

    before: Any
    after: Any

    @property
    def same_visit(self) -> bool:
        return bool(self.before.karte_id == self.after.karte_id)

    @property
    def before_label(self) -> str:
        """ビフォー, or the earlier visit's date."""
        return str(_("Before")) if self.same_visit else date_format(self.before.karte.treatment_date)

    @property
    def after_label(self) -> str:
        """アフター for a photo marked after, else 今回 (this visit)."""
        return str(_("After")) if self.after.photo_tag == "after" else str(_("This visit"))


@dataclass(frozen=True)
class ComparePair:
    """What the before/after slider shows first, and for each angle of this visit's photos the pairs
    it may show instead (「比べる写真」): the visit's own before photo, then the earlier visits', newest
    first. A side view is never set against a front one."""

    angles: tuple[tuple[Any, tuple[CompareChoice, ...]], ...]

    @property
    def first(self) -> CompareChoice:
        return self.angles[0][1][0]

    @property
    def before(self) -> Any:
        return self.first.before

    @property
    def after(self) -> Any:
        return self.first.after

    @property
    def angle(self) -> Any:
        return self.first.after.angle

    @property
    def choice_count(self) -> int:
        return sum(len(choices) for _angle, choices in self.angles)


def _pair(photos: list[Any], earlier: dict[int, list[Any]]) -> ComparePair | None:
    """For each angle of this visit's photos (its after photo, else its first photo not marked
    before), the photos it may be compared with: the visit's before photo of the same angle (or both
    without an angle), then the earlier visits' of that angle. A visit's own before and after come
    first."""
    befores = [photo for photo in photos if photo.photo_tag == "before"]
    shown = [photo for photo in photos if photo.photo_tag == "after"]
    shown += [photo for photo in photos if photo.photo_tag not in ("before", "after")]
    angles: list[tuple[Any, tuple[CompareChoice, ...]]] = []
    done: set[int | None] = set()
    for after in shown:
        if after.angle_id in done:
            continue
        own = None
        if after.photo_tag == "after":
            own = next((photo for photo in befores if photo.angle_id == after.angle_id), None)
        older = earlier.get(after.angle_id, []) if after.angle_id else []
        choices = ([own] if own is not None else []) + older
        if choices:
            done.add(after.angle_id)
            angles.append((after.angle, tuple(CompareChoice(before, after) for before in choices)))
    angles.sort(key=lambda entry: not entry[1][0].same_visit)
    return ComparePair(tuple(angles)) if angles else None


@register.filter
def compare_pair(karte) -> ComparePair | None:
    """Of the karte's public photos, the before and after to compare (kartes.selectors.visible_kartes;
    the earlier visits' from selectors.with_earlier_photos, where the page asked for them)."""
    photos = [item for item in karte.public_items if item.kind == "photo"]
    return _pair(photos, getattr(karte, "earlier_photos", {}))


@register.filter
def staff_compare_pair(karte) -> ComparePair | None:
    """The same among all the karte's photos whose copies are ready, public or not (for staff)."""
    photos = [
        item
        for item in karte.items.all()
        if item.kind == "photo" and item.image is not None and item.image.is_ready
    ]
    return _pair(photos, getattr(karte, "earlier_photos", {}))


@register.filter
def first_public_photo(karte):
    """The first public photo of a karte from visible_kartes, for its thumbnail."""
    return next((item for item in karte.public_items if item.kind == "photo"), None)


@register.filter
def first_public_image(karte):
    """The first public photo or illustration of a karte: the one the page shows first."""
    return next((item for item in karte.public_items if item.image_id), None)


@register.simple_tag(takes_context=True)
def visible_menu_lines(context, karte):
    """The karte's menus as the customer may see them (kartes.selectors.visible_menu)."""
    return visible_menu(karte=karte, salon=context["salon"])


@register.simple_tag
def recipe_columns():
    return list(RECIPE_COLUMNS.items())


@register.filter
def get_cell(row, name):
    return row.get(name, "") if isinstance(row, dict) else ""
