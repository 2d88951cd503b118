"""A customer's kartes in their export, and what goes when the customer is deleted for good."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from privacy.parts import CustomerDataPart, Erased, ExportPlan, ids, register, when

from .models import ImageAsset, Karte, KarteItem


@register
class Kartes(CustomerDataPart):
    models = ("kartes.Karte", "kartes.KarteItem", "kartes.ImageAsset")
    document = "kartes.json"
    contents = (
        (
            document,
            _(
                'every treatment record: date, staff, menu and each item; "shown_in_app" says whether '
                "the item is shown in your app (公開) or kept by the salon only (非公開)"
            ),
        ),
        (
            "photos/",
            _(
                "every photo and illustration of those records: the file as taken, and the copy the app "
                "shows (without location or device data)"
            ),
        ),
    )
    erase_order = 30

    def export(self, customer, plan: ExportPlan, prefix: str) -> list[dict]:
        # Each karte's items read with the kartes: the same few queries for 10 kartes or 1,000.
        items = KarteItem.objects.select_related("image", "angle").order_by("position", "pk")
        kartes = (
            Karte.objects.filter(customer=customer)
            .select_related("staff")
            .prefetch_related(Prefetch("items", queryset=items, to_attr="exported_items"))
        )
        return [
            {
                "treatment_date": karte.treatment_date.isoformat(),
                "staff": karte.staff.display_name,
                "requested_staff": karte.nominated,
                "menu": karte.menu,
                "menu_lines": karte.menu_lines,
                "created_at": when(karte.created_at),
                "updated_at": when(karte.updated_at),
                "items": [_item(karte, item, plan, prefix) for item in karte.exported_items],
            }
            for karte in kartes.order_by("treatment_date", "pk")
        ]

    def audit_targets(self, customer) -> dict[str, set[str]]:
        kartes = Karte.objects.filter(customer=customer)
        return {
            "karte": ids(kartes),
            "karteitem": ids(KarteItem.objects.filter(karte__in=kartes)),
        }

    def erase(self, customer) -> Erased:
        images = list(ImageAsset.objects.filter(item__karte__customer=customer))
        kartes = Karte.objects.filter(customer=customer)
        counts = {"kartes": kartes.count(), "photos": len(images)}
        KarteItem.objects.filter(karte__customer=customer).delete()
        ImageAsset.objects.filter(pk__in=[image.pk for image in images]).delete()
        kartes.delete()
        return Erased(counts=counts, files=[name for image in images for name in image.stored_names()])


def _item(karte: Karte, item: KarteItem, plan: ExportPlan, prefix: str) -> dict:
    files = []
    if item.image is not None:
        base = f"{prefix}photos/{karte.treatment_date:%Y-%m-%d}_karte{karte.pk}_item{item.pk}"
        stored_files = [(f"{base}_original.{item.image.original_extension}", item.image.original.name)]
        if item.image.is_ready:
            stored_files.append((f"{base}_display.webp", item.image.large.name))
        for arcname, stored in stored_files:
            plan.files.append((arcname, stored))
            files.append(arcname)
    return {
        "kind": item.kind,
        "public": item.is_public,
        "shown_in_app": "公開" if item.is_public else "非公開",
        "text": item.text,
        "caption": item.caption,
        "before_after": item.photo_tag,
        "angle": item.angle.name if item.angle else "",
        "drawing_strokes": item.drawing,
        "colour_recipe": item.recipe,
        "published_at": when(item.published_at),
        "files": files,
    }
