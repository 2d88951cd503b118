from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from counselling.selectors import sheet_is_open
from customers.models import Customer
from salons.selectors import salon_card

from .models import STAFF_ONLY_KINDS, ImageStatus, ItemKind, Karte, KarteItem, PhotoAngle


def karte_history(*, customer: Customer) -> QuerySet[Karte]:
    """Every karte of a customer, newest first, with all items, for staff."""
    return (
        Karte.objects.filter(customer=customer)
        .select_related("staff")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=KarteItem.objects.select_related(
                    "image", "angle", "published_by__staff_member", "portfolio_by__staff_member"
                ),
            )
        )
    )


def last_recipe(*, customer: Customer, before: Karte | None = None) -> KarteItem | None:
    """The customer's latest colour recipe (staff only), from a karte other than `before`."""
    recipes = KarteItem.objects.filter(karte__customer=customer, kind=ItemKind.RECIPE).select_related("karte")
    if before is not None:
        recipes = recipes.exclude(karte=before)
    return recipes.order_by("-karte__treatment_date", "-karte_id", "position", "id").first()


def visible_kartes(*, customer: Customer) -> QuerySet[Karte]:
    """What the customer app shows: every karte's date and staff, and public items only.

    The staff preview (お客様の表示を確認) and the customer app both call this, so
    what staff check is what the phone gets. A photo appears once its display copies are ready.
    """
    public_items = (
        KarteItem.objects.filter(is_public=True)
        .exclude(kind__in=STAFF_ONLY_KINDS)
        .filter(Q(image__isnull=True) | Q(image__status=ImageStatus.READY))
        .select_related("image", "angle")
        .order_by("position", "id")
    )
    return (
        Karte.objects.filter(customer=customer)
        .select_related("staff")
        .prefetch_related(Prefetch("items", queryset=public_items, to_attr="public_items"))
        .order_by("-treatment_date", "-id")
    )


def visible_menu(*, karte: Karte, salon) -> list[dict]:
    """The menus of a visit as the customer app shows them: none unless the salon shows menus, and
    prices only when it shows prices too."""
    if not salon.app_shows_menu:
        return []
    lines = karte.menu_lines or [{"name": name, "price": None} for name in karte.menu.split("、") if name]
    show_prices = salon.app_shows_prices
    return [{"name": line["name"], "price": line.get("price") if show_prices else None} for line in lines]


def next_visit(*, customer: Customer, newest: list[Karte] | None = None) -> Karte | None:
    """The latest karte, if staff set 「次回来店の目安」 on it: the customer sees when and how to book.
    `newest`: the customer's newest karte (or none) where the caller has read it already."""
    if newest is None:
        newest = list(Karte.objects.filter(customer=customer).order_by("-treatment_date", "-id")[:1])
    latest = newest[0] if newest else None
    return latest if latest is not None and latest.next_visit_weeks is not None else None


def get_visible_karte(*, customer: Customer, pk: int) -> Karte:
    """One karte as the customer app shows it; another customer's karte does not exist."""
    return get_object_or_404(visible_kartes(customer=customer), pk=pk)


def get_visible_image(*, customer: Customer, image_id) -> KarteItem:
    """The public item showing this image, if the customer may see it right now.

    Checked on every request, so unpublishing hides a photo at once, even from a
    remembered URL. A photo whose display copies are still being made is not there yet.
    """
    return get_object_or_404(
        KarteItem.objects.select_related("image"),
        image_id=image_id,
        is_public=True,
        image__status=ImageStatus.READY,
        karte__customer=customer,
    )


def home_cards(*, salon, customer, newest: list[Karte] | None = None) -> dict:
    """The cards above the customer's karte list: the salon's message, the next visit with its
    booking link, and the counselling sheet to fill in. The app and the staff preview both read
    them here, so the preview shows what the phone shows."""
    return {
        "next_visit": next_visit(customer=customer, newest=newest),
        "card": salon_card(salon=salon),
        "sheet_open": sheet_is_open(salon=salon),
    }


TIMELINE_VISITS = 24  # the newest visits an angle's timeline draws from


@dataclass
class AngleTimeline:
    angle: PhotoAngle
    photos: list[KarteItem]  # one a visit, oldest first; each with its karte


def _angle_photos(visits: QuerySet, *, public_only: bool) -> QuerySet[KarteItem]:
    """The photos with an angle of these visits whose copies are ready, by angle then oldest visit
    first. public_only: what the phone may show (public photos), else every photo for staff."""
    photos = (
        KarteItem.objects.filter(
            karte__in=visits, kind=ItemKind.PHOTO, angle__isnull=False, image__status=ImageStatus.READY
        )
        .select_related("karte", "image", "angle")
        .order_by("angle__position", "angle_id", "karte__treatment_date", "karte_id", "position", "id")
    )
    return photos.filter(is_public=True) if public_only else photos


def _one_a_visit(photos: QuerySet[KarteItem]) -> list[AngleTimeline]:
    """For each angle, one photo a visit (an after photo if the visit has one), in the order given."""
    timelines: dict[int, AngleTimeline] = {}
    chosen: dict[tuple[int, int], KarteItem] = {}
    for photo in photos:
        angle = photo.angle
        assert angle is not None  # angle__isnull=False
        timeline = timelines.setdefault(angle.pk, AngleTimeline(angle, []))
        visit = (angle.pk, photo.karte_id)
        if visit not in chosen:
            chosen[visit] = photo
            timeline.photos.append(photo)
        elif photo.photo_tag == "after" and chosen[visit].photo_tag != "after":
            timeline.photos[timeline.photos.index(chosen[visit])] = photo
            chosen[visit] = photo
    return list(timelines.values())


def angle_timelines(*, customer: Customer, public_only: bool) -> list[AngleTimeline]:
    """For each of the salon's angles, one photo a visit (an after photo if the visit has one), oldest
    to newest, from the customer's newest visits. public_only: what the phone may show (public
    photos whose copies are ready), else every photo for staff."""
    newest = Karte.objects.filter(customer=customer).order_by("-treatment_date", "-id").values("id")
    return _one_a_visit(_angle_photos(newest[:TIMELINE_VISITS], public_only=public_only))


EARLIER_CHOICES = 12  # the earlier visits a karte's slider offers for an angle


def with_earlier_photos(*, customer: Customer, kartes: list[Karte], public_only: bool) -> None:
    """Give each of these kartes `earlier_photos`: for each angle, one photo of each earlier visit,
    newest first, so the before/after slider can set this visit's photo against the chosen earlier
    visit's of the same angle (karte_tags.compare_pair). One query for the whole page, from the
    visits up to the newest of them and TIMELINE_VISITS before the oldest."""
    # The angles of the page's photos (loaded with the kartes: public_items for the phone, items for
    # staff): none, and there is nothing to ask.
    shown = (karte.public_items if public_only else karte.items.all() for karte in kartes)  # type: ignore[attr-defined]
    angles = {item.angle_id for items in shown for item in items if item.angle_id is not None}
    for karte in kartes:
        karte.earlier_photos = {}  # type: ignore[attr-defined]
    if not angles:
        return
    newest = max(kartes, key=lambda karte: (karte.treatment_date, karte.pk))
    visits = (
        Karte.objects.filter(customer=customer)
        .filter(
            Q(treatment_date__lt=newest.treatment_date)
            | Q(treatment_date=newest.treatment_date, id__lte=newest.pk)
        )
        .order_by("-treatment_date", "-id")
        .values("id")
    )
    photos = _angle_photos(visits[: len(kartes) + TIMELINE_VISITS], public_only=public_only)
    timelines = _one_a_visit(photos.filter(angle_id__in=angles))
    for karte in kartes:
        this_visit = (karte.treatment_date, karte.pk)
        karte.earlier_photos = {  # type: ignore[attr-defined]
            timeline.angle.pk: [
                photo
                for photo in reversed(timeline.photos)
                if (photo.karte.treatment_date, photo.karte_id) < this_visit
            ][:EARLIER_CHOICES]
            for timeline in timelines
        }


def ghost_photo(*, customer: Customer, angle_id: int, leaving_out: int | None = None) -> KarteItem | None:
    """The customer's last photo from this angle (the visit's after photo if it has one), for the
    camera to lay over the live picture; never one of the karte being edited."""
    photos = KarteItem.objects.filter(
        karte__customer=customer, kind=ItemKind.PHOTO, angle_id=angle_id, image__status=ImageStatus.READY
    )
    if leaving_out is not None:
        photos = photos.exclude(karte_id=leaving_out)
    latest = photos.select_related("karte").order_by("-karte__treatment_date", "-karte_id").first()
    if latest is None:
        return None
    same_visit = photos.filter(karte_id=latest.karte_id).select_related("karte", "image")
    return next((photo for photo in same_visit if photo.photo_tag == "after"), None) or same_visit.first()


def visible_photo_items(*, customer: Customer) -> QuerySet[KarteItem]:
    """The customer's photos they can see in the app (public, of their own kartes)."""
    return KarteItem.objects.filter(karte__customer=customer, kind=ItemKind.PHOTO, is_public=True)


def portfolio_questions(*, karte: Karte) -> list[KarteItem]:
    """Of a karte read through visible_kartes, the photos the salon asked about showing as its work
    (or that the customer allowed): each with 許可 / 許可しない, or a way to withdraw."""
    items: list[KarteItem] = karte.public_items  # type: ignore[attr-defined]
    return [
        item
        for item in items
        if item.kind == ItemKind.PHOTO
        and item.image_id
        and (item.portfolio_asked_at or item.portfolio == "yes")
    ]
