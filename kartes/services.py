import datetime
import hashlib
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from audit.services import audit_log
from common.actors import Actor
from common.faults import fault_point
from customers.models import Customer
from menus.models import MenuItem
from salons.models import Salon, StaffMember

from . import actions, hooks
from .images import ImageRejected, ProcessedImage, inspect_image, make_copies
from .models import (
    DISPLAY_SIZES,
    ImageAsset,
    ImageFailure,
    ImageKind,
    ImageStatus,
    Karte,
    KarteItem,
    PhotoAngle,
    display_path,
)


class KarteConflict(Exception):
    """Someone else saved the karte after this editor opened it."""


class PhotoAlreadyUsed(Exception):
    """A photo of this karte was attached to another item at the same moment."""


@dataclass
class ItemInput:
    kind: str
    id: int | None = None
    text: str = ""
    caption: str = ""
    photo_tag: str = ""
    angle: PhotoAngle | None = None
    image: ImageAsset | None = None
    drawing: list[Any] | None = None
    template: str = ""
    recipe: list[Any] | None = None
    is_public: bool = False
    fields_changed: list[str] = field(default_factory=list)


def image_asset_create(
    *, salon: Salon, user: Actor, upload_key: uuid.UUID, data: bytes, kind: str, copies_now: bool = False
) -> tuple[ImageAsset, bool]:
    """Store an uploaded photo or illustration once, however often the client retries.

    Returns the asset and whether it was new. Raises images.ImageRejected for a file that is not
    a photo we accept (decided from its header). The original is written completely before the
    row commits; the display copies are made by a background task, or here with copies_now
    (illustrations, which are small, and the demo data).
    """
    existing = ImageAsset.objects.filter(upload_key=upload_key).first()
    if existing is not None:
        return existing, False
    info = inspect_image(data)
    asset = ImageAsset(
        salon=salon,
        kind=kind if kind in ImageKind.values else ImageKind.PHOTO,
        upload_key=upload_key,
        original_format=info.format,
        width=info.width,
        height=info.height,
        uploaded_by=user,
    )
    processed = make_copies(data) if copies_now else None
    asset.original.save("original", ContentFile(data), save=False)
    _record_checksum(asset, "original", data)
    if processed is not None:
        _store_copies(asset, processed, chosen_names=False)
    else:
        # The copies' names are chosen now, so every run of the task writes these same files.
        for size in DISPLAY_SIZES:
            getattr(asset, size).name = display_path(asset, size)
        asset.status = ImageStatus.PROCESSING
        asset.queued_at = timezone.now()
        asset.attempts = 1
    try:
        with transaction.atomic():
            asset.save(force_insert=True)
    except IntegrityError:
        # A retry of the same upload committed first: keep that one, drop our copies.
        _delete_files(asset)
        return ImageAsset.objects.get(upload_key=upload_key), False
    if processed is None:
        from .tasks import image_copies_request

        image_copies_request(asset)
        if HUEY.immediate:
            asset.refresh_from_db()  # the task ran inside this call: the row says ready now
    return asset, True


def _record_checksum(asset: ImageAsset, name: str, content: bytes) -> None:
    setattr(asset, f"{name}_sha256", hashlib.sha256(content).hexdigest())
    setattr(asset, f"{name}_size", len(content))


def _store_copies(asset: ImageAsset, processed: ProcessedImage, *, chosen_names: bool) -> None:
    for name, content in processed.copies().items():
        file_field = getattr(asset, name)
        if chosen_names:
            # A run killed after writing leaves the file under its final name; this run replaces it.
            target = file_field.name
            if file_field.storage.exists(target):
                file_field.storage.delete(target)
            stored = file_field.storage.save(target, ContentFile(content))
            if stored != target:
                file_field.storage.delete(stored)
                raise RuntimeError(f"Display copy {target} is being written by another worker.")
        else:
            file_field.save(name, ContentFile(content), save=False)
        _record_checksum(asset, name, content)
    asset.width, asset.height = processed.width, processed.height


def image_asset_make_copies(*, asset_id: uuid.UUID | str) -> ImageAsset | None:
    """Make the display copies of an uploaded photo (the background task's work).

    Safe to run again and at the same time as another run: the files have fixed names and the
    row turns ready only once. A photo that turns out damaged is marked failed with the reason.
    """
    asset = ImageAsset.objects.filter(pk=asset_id, status=ImageStatus.PROCESSING).first()
    if asset is None:
        return None
    with asset.original.open("rb") as original:
        data = original.read()
    try:
        processed = make_copies(data)
    except ImageRejected as rejection:
        failure = rejection.code if rejection.code in ImageFailure.values else ImageFailure.DAMAGED
        ImageAsset.objects.filter(pk=asset.pk, status=ImageStatus.PROCESSING).update(
            status=ImageStatus.FAILED, failure=failure
        )
        return None
    _store_copies(asset, processed, chosen_names=True)
    fault_point("image-copies-written")
    done = ImageAsset.objects.filter(pk=asset.pk, status=ImageStatus.PROCESSING).update(
        status=ImageStatus.READY,
        failure="",
        width=asset.width,
        height=asset.height,
        **{
            f"{size}_{part}": getattr(asset, f"{size}_{part}")
            for size in DISPLAY_SIZES
            for part in ("sha256", "size")
        },
    )
    if not done and not ImageAsset.objects.filter(pk=asset.pk).exists():
        # The upload was thrown away while we worked: leave nothing behind.
        for file_field in (getattr(asset, size) for size in DISPLAY_SIZES):
            file_field.storage.delete(file_field.name)
    return asset


def image_asset_retry(*, asset: ImageAsset) -> ImageAsset:
    """Staff asked again for the copies of a photo whose processing failed."""
    if asset.status == ImageStatus.FAILED:
        ImageAsset.objects.filter(pk=asset.pk, status=ImageStatus.FAILED).update(
            status=ImageStatus.PROCESSING, failure="", queued_at=timezone.now(), attempts=1
        )
        from .tasks import image_copies_request

        asset.refresh_from_db()
        image_copies_request(asset)
        asset.refresh_from_db()
    return asset


def _delete_files(asset: ImageAsset) -> None:
    for name in asset.stored_names():
        default_storage.delete(name)


def _delete_assets_after_commit(assets: list[ImageAsset]) -> None:
    if not assets:
        return
    for asset in assets:
        asset.delete()

    def remove_files() -> None:
        for asset in assets:
            _delete_files(asset)

    transaction.on_commit(remove_files)


def customer_refresh_last_visit(*, customer: Customer) -> None:
    latest = customer.kartes.aggregate(latest=Max("treatment_date"))["latest"]
    Customer.objects.filter(pk=customer.pk).update(last_visit_on=latest)
    customer.last_visit_on = latest


def _apply_item_fields(item: KarteItem, data: ItemInput) -> list[str]:
    changed = []
    for name in ("text", "caption", "photo_tag", "angle", "template", "drawing", "image", "recipe"):
        value = getattr(data, name)
        if getattr(item, name) != value:
            setattr(item, name, value)
            changed.append(name)
    return changed


def _item_subject(karte: Karte) -> str:
    """What the log names for an item: its customer and karte. The item's kind is kept in the entry's
    data and named when the log is read, in the reader's language."""
    return f"{karte.customer.name} {karte.treatment_date:%Y-%m-%d}"


def _audit_publication(*, salon: Salon, actor: Actor, item: KarteItem, karte: Karte) -> None:
    action = actions.ITEM_PUBLISH if item.is_public else actions.ITEM_UNPUBLISH
    audit_log(
        salon=salon,
        actor=actor,
        action=action,
        target=item,
        summary=_item_subject(karte),
        data={"karte": karte.pk, "kind": item.kind},
    )


def _sync_items(*, karte: Karte, actor: Actor, items: list[ItemInput]) -> None:
    existing = {item.pk: item for item in karte.items.select_related("image")}
    kept_ids = set()
    for position, data in enumerate(items):
        item = existing.get(data.id) if data.id else None
        if item is None:
            item = KarteItem(salon=karte.salon, karte=karte, kind=data.kind)
            _apply_item_fields(item, data)
            item.position = position
            item.set_public(data.is_public, by=actor)
            item.save()
            audit_log(
                salon=karte.salon,
                actor=actor,
                action=actions.ITEM_CREATE,
                target=item,
                summary=_item_subject(karte),
                data={"karte": karte.pk, "kind": item.kind, "public": item.is_public},
            )
            if item.is_public:
                _audit_publication(salon=karte.salon, actor=actor, item=item, karte=karte)
            continue
        kept_ids.add(item.pk)
        replaced_image = item.image if data.image != item.image else None
        changed = _apply_item_fields(item, data)
        if item.position != position:
            item.position = position
            changed.append("position")
        publication_changed = item.is_public != data.is_public
        if publication_changed:
            item.set_public(data.is_public, by=actor)
        if changed or publication_changed:
            item.save()
        if changed and changed != ["position"]:
            audit_log(
                salon=karte.salon,
                actor=actor,
                action=actions.ITEM_UPDATE,
                target=item,
                summary=_item_subject(karte),
                data={"karte": karte.pk, "kind": item.kind, "fields": changed},
            )
        if publication_changed:
            _audit_publication(salon=karte.salon, actor=actor, item=item, karte=karte)
        if replaced_image is not None:
            _delete_assets_after_commit([replaced_image])
    removed = [item for pk, item in existing.items() if pk not in kept_ids]
    for item in removed:
        audit_log(
            salon=karte.salon,
            actor=actor,
            action=actions.ITEM_DELETE,
            target=item,
            summary=_item_subject(karte),
            data={"karte": karte.pk, "kind": item.kind, "was_public": item.is_public},
        )
        image = item.image
        item.delete()
        if image is not None:
            _delete_assets_after_commit([image])


MENU_SEPARATOR = "、"


def menu_lines_build(
    *, item_ids: Sequence[int], extra: str, previous: Sequence[dict[str, Any]] = ()
) -> list[dict[str, Any]]:
    """What was done, line by line: the catalogue items picked, then what staff typed.

    A catalogue item the karte already had keeps the name and price it was saved with; one picked
    now takes today's. Typed menus (「、」 or commas between them) have no price.
    """
    kept = {line["item"]: line for line in previous if line.get("item")}
    catalogue = MenuItem.objects.in_bulk([pk for pk in item_ids if pk not in kept])
    lines: list[dict[str, Any]] = []
    for pk in dict.fromkeys(item_ids):
        if pk in kept:
            lines.append(kept[pk])
        elif pk in catalogue:
            item = catalogue[pk]
            lines.append({"item": pk, "name": item.name, "price": item.price})
    for name in re.split(r"[、,，]", extra):
        if name.strip():
            lines.append({"item": None, "name": re.sub(r"\s+", " ", name).strip(), "price": None})
    return lines


def _menu_text(lines: Sequence[dict[str, Any]]) -> str:
    return MENU_SEPARATOR.join(line["name"] for line in lines)[:200]


def karte_create(
    *,
    salon: Salon,
    actor: Actor,
    customer: Customer,
    treatment_date: datetime.date,
    staff: StaffMember,
    menu: str,
    items: list[ItemInput],
    client_key: uuid.UUID | None = None,
    menu_item_ids: Sequence[int] = (),
    nominated: bool = False,
    next_visit_weeks: int | None = None,
) -> Karte:
    """Create a karte with its items; a repeated submission with the same client key returns the first.

    `menu_item_ids` are the catalogue items done (name and price kept as they are today), `menu`
    what else staff typed; `nominated` is 指名.
    """
    if client_key is not None:
        existing = Karte.objects.filter(client_key=client_key).first()
        if existing is not None:
            return existing
    lines = menu_lines_build(item_ids=menu_item_ids, extra=menu)
    try:
        with transaction.atomic():
            karte = Karte.objects.create(
                salon=salon,
                customer=customer,
                treatment_date=treatment_date,
                staff=staff,
                nominated=nominated,
                next_visit_weeks=next_visit_weeks,
                menu=_menu_text(lines),
                menu_lines=lines,
                created_by=actor,
                client_key=client_key,
            )
            audit_log(
                salon=salon,
                actor=actor,
                action=actions.KARTE_CREATE,
                target=karte,
                summary=f"{customer.name} {treatment_date:%Y-%m-%d}",
            )
            _sync_items(karte=karte, actor=actor, items=items)
            customer_refresh_last_visit(customer=customer)
            hooks.visit_saved(karte=karte)
    except IntegrityError:
        # Either this form was sent twice (same client key: the first karte is the answer), or
        # another save took one of its photos at the same moment.
        existing = Karte.objects.filter(client_key=client_key).first() if client_key else None
        if existing is None:
            raise PhotoAlreadyUsed from None
        return existing
    return karte


def karte_update(
    *,
    karte: Karte,
    actor: Actor,
    expected_version: int,
    treatment_date: datetime.date,
    staff: StaffMember,
    menu: str,
    items: list[ItemInput],
    save_key: uuid.UUID | None = None,
    menu_item_ids: Sequence[int] = (),
    nominated: bool = False,
    next_visit_weeks: int | None = None,
) -> Karte:
    """Save an edited karte, or raise KarteConflict if it changed since the editor loaded it.

    A resend of the save that already committed (same save key) returns the karte unchanged.
    """
    lines = menu_lines_build(item_ids=menu_item_ids, extra=menu, previous=karte.menu_lines)
    try:
        return _karte_update(
            karte=karte,
            actor=actor,
            expected_version=expected_version,
            treatment_date=treatment_date,
            staff=staff,
            nominated=nominated,
            next_visit_weeks=next_visit_weeks,
            lines=lines,
            items=items,
            save_key=save_key,
        )
    except IntegrityError:
        raise PhotoAlreadyUsed from None


def _karte_update(
    *,
    karte: Karte,
    actor: Actor,
    expected_version: int,
    treatment_date: datetime.date,
    staff: StaffMember,
    nominated: bool,
    next_visit_weeks: int | None,
    lines: list[dict[str, Any]],
    items: list[ItemInput],
    save_key: uuid.UUID | None,
) -> Karte:
    with transaction.atomic():
        updated = Karte.objects.filter(pk=karte.pk, version=expected_version).update(
            version=F("version") + 1,
            treatment_date=treatment_date,
            staff=staff,
            nominated=nominated,
            next_visit_weeks=next_visit_weeks,
            menu=_menu_text(lines),
            menu_lines=lines,
            last_save_key=save_key,
            updated_at=timezone.now(),
        )
        if not updated:
            karte.refresh_from_db()
            if save_key is not None and karte.last_save_key == save_key:
                return karte
            raise KarteConflict
        karte.refresh_from_db()
        audit_log(
            salon=karte.salon,
            actor=actor,
            action=actions.KARTE_UPDATE,
            target=karte,
            summary=f"{karte.customer.name} {treatment_date:%Y-%m-%d}",
        )
        _sync_items(karte=karte, actor=actor, items=items)
        customer_refresh_last_visit(customer=karte.customer)
        hooks.visit_saved(karte=karte)
    return karte


def karte_delete(*, karte: Karte, actor: Actor) -> None:
    with transaction.atomic():
        images = [item.image for item in karte.items.select_related("image") if item.image is not None]
        audit_log(
            salon=karte.salon,
            actor=actor,
            action=actions.KARTE_DELETE,
            target=karte,
            summary=f"{karte.customer.name} {karte.treatment_date:%Y-%m-%d}",
            # Whose: the nightly roll-up works that customer's figures out again (analytics).
            data={"items": karte.items.count(), "customer": karte.customer_id},
        )
        customer = karte.customer
        hooks.visit_deleted(karte=karte)
        karte.delete()
        _delete_assets_after_commit(images)
        customer_refresh_last_visit(customer=customer)


class StaffOnlyItem(Exception):
    """A colour recipe (or another staff-only kind) cannot be made public."""


def item_set_public(*, item: KarteItem, actor: Actor, public: bool) -> KarteItem:
    """Publish or unpublish one item at once (the one-tap switch in the history)."""
    if public and item.is_staff_only:
        raise StaffOnlyItem(item.kind)
    with transaction.atomic():
        item = KarteItem.objects.select_for_update().select_related("karte__customer").get(pk=item.pk)
        if item.is_public == public:
            return item
        item.set_public(public, by=actor)
        item.save(update_fields=["is_public", "published_at", "published_by", "updated_at"])
        # An editor left open elsewhere must not quietly undo this switch when it saves.
        Karte.objects.filter(pk=item.karte_id).update(version=F("version") + 1)
        _audit_publication(salon=item.salon, actor=actor, item=item, karte=item.karte)
    return item


def image_assets_purge_unused(*, before: datetime.datetime) -> int:
    """Delete uploads no karte item uses (an editor closed without saving, a replaced drawing).

    Runs for every salon at once (call it with scopes disabled). Returns how many were deleted.
    """
    unused = list(ImageAsset.objects.filter(item__isnull=True, created_at__lt=before))
    with transaction.atomic():
        _delete_assets_after_commit(unused)
    return len(unused)


def image_asset_fill_sizes(*, asset: ImageAsset) -> list[str]:
    """Make the display sizes a photo stored before they existed lacks. Returns the sizes made."""
    missing = [size for size in DISPLAY_SIZES if not getattr(asset, size).name]
    if not missing or asset.status != ImageStatus.READY:
        return []
    with asset.original.open("rb") as original:
        copies = make_copies(original.read()).copies()
    changes: dict[str, object] = {}
    for size in missing:
        file_field = getattr(asset, size)
        file_field.save(size, ContentFile(copies[size]), save=False)
        _record_checksum(asset, size, copies[size])
        changes.update(
            {
                size: file_field.name,
                f"{size}_sha256": getattr(asset, f"{size}_sha256"),
                f"{size}_size": len(copies[size]),
            }
        )
    filled = ImageAsset.objects.filter(pk=asset.pk, **{f"{size}": "" for size in missing}).update(**changes)
    if not filled:  # another run filled them first
        for size in missing:
            getattr(asset, size).storage.delete(changes[size])
        return []
    return missing
