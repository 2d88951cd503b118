import json
import uuid

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from appointments.selectors import appointment_for_karte
from common.serving import stored_file_response
from counselling.selectors import visit_sheet
from kartes.angles import salon_angles
from kartes.images import ImageRejected
from kartes.models import DISPLAY_SIZES, RECIPE_COLUMNS, ImageFailure, ImageKind, ImageStatus, ItemKind
from kartes.portfolio import NoConsent, NotAPhoto, portfolio_ask, portfolio_copy, portfolio_record
from kartes.selectors import karte_history, last_recipe
from kartes.services import (
    MENU_SEPARATOR,
    ItemInput,
    KarteConflict,
    PhotoAlreadyUsed,
    StaffOnlyItem,
    image_asset_create,
    image_asset_retry,
    item_set_public,
    karte_create,
    karte_delete,
    karte_update,
)
from menus.selectors import menu_catalogue
from salons.access import karte_staff_required
from salons.selectors import staff_who_can_serve

from ..access import get_customer_for_staff, get_image_for_staff, get_item_for_staff, get_karte_for_staff
from ..forms.kartes import TEMPLATES_AVAILABLE, ItemFormSet, KarteForm

PHOTO_TAKEN = gettext_lazy(
    "A photo of this karte was just saved in another karte. Nothing was saved: remove that photo or "
    "upload it again, then save."
)


def _staff_choices(karte=None):
    # A karte by someone who has since left still shows (and keeps) that person.
    return staff_who_can_serve(keeping=karte.staff_id if karte is not None else None)


def _item_kwargs(request, karte) -> dict:
    return {"karte": karte, "angles": salon_angles(salon=request.salon)}


def _items_from_formset(formset) -> list[ItemInput]:
    items = []
    for form in formset.ordered_forms if formset.can_order else formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        items.append(
            ItemInput(
                id=data.get("id"),
                kind=data["kind"],
                text=data.get("text") or "",
                caption=data.get("caption") or "",
                photo_tag=data.get("photo_tag") or "",
                angle=data.get("angle"),
                image=data.get("image"),
                drawing=data.get("drawing"),
                template=data.get("template") or "",
                recipe=data.get("recipe"),
                is_public=bool(data.get("is_public")),
            )
        )
    return items


EMPTY_KARTE = gettext_lazy(
    "This karte has no menu and no items. Add what was done, or tick the box below to save it empty."
)


def _empty_unconfirmed(form, formset) -> bool:
    """A karte with no menu and no items is saved only when staff say so (a tap too early otherwise
    leaves an empty record in the customer's history)."""
    if (
        form.cleaned_data["menu"].strip()
        or form.cleaned_data["menu_items"]
        or _items_from_formset(formset)
        or form.cleaned_data["confirm_empty"]
    ):
        return False
    form.add_error(None, EMPTY_KARTE)
    return True


def _menu_groups(karte, form):
    """The catalogue as chips by category, with the karte's own lines' names and prices of the day,
    and the items it recorded that are no longer offered in a group of their own."""
    recorded = {line["item"]: line for line in (karte.menu_lines if karte else []) if line.get("item")}
    raw = form["menu_items"].value() or []
    picked = {int(value) for value in raw if str(value).isdigit()}
    groups, offered = [], set()
    for category in menu_catalogue():
        chips = []
        for item in category.items.all():
            line = recorded.get(item.pk, {"name": item.name, "price": item.price})
            chips.append(
                {"id": item.pk, "name": line["name"], "price": line["price"], "picked": item.pk in picked}
            )
            offered.add(item.pk)
        groups.append({"name": category.name, "chips": chips})
    kept = [
        {"id": pk, "name": line["name"], "price": line["price"], "picked": pk in picked}
        for pk, line in recorded.items()
        if pk not in offered
    ]
    if kept:
        groups.append({"name": _("Recorded on this karte (no longer offered)"), "chips": kept})
    return groups


def _picked_total(groups) -> int | None:
    prices = [chip["price"] for group in groups for chip in group["chips"] if chip["picked"]]
    priced = [price for price in prices if price is not None]
    return sum(priced) if priced else None


def _editor_context(request, *, customer, karte, form, formset, conflict=False):
    groups = _menu_groups(karte, form)
    return {
        "customer": customer,
        "karte": karte,
        "form": form,
        "formset": formset,
        "conflict": conflict,
        "menu_groups": groups,
        "last_recipe": last_recipe(customer=customer, before=karte),
        "visit_sheet": visit_sheet(
            customer=customer, day=karte.treatment_date if karte else timezone.localdate()
        ),
        "recipe_columns": list(RECIPE_COLUMNS.items()),
        "menu_total": _picked_total(groups),
        "photo_max_bytes": settings.KARTE_PHOTO_MAX_BYTES,
        "templates_available": TEMPLATES_AVAILABLE,
        # The salon's angles, offered by every photo item: part of the kept item forms' keys.
        "angles": formset.form_kwargs.get("angles", []),
    }


def _saved(request, customer, karte):
    url = f"{customer.get_absolute_url()}#karte-{karte.pk}"
    if request.headers.get("X-Karte-Save") == "fetch":
        # The editor sent this in the background so a dropped connection loses nothing;
        # it navigates itself.
        return JsonResponse({"redirect": url})
    return redirect(url)


@karte_staff_required
def karte_create_view(request, customer_pk):
    customer = get_customer_for_staff(request, customer_pk)
    staff_queryset = _staff_choices()
    if request.method == "POST":
        form = KarteForm(request.POST, staff_queryset=staff_queryset, birthday=customer.birthday)
        formset = ItemFormSet(request.POST, prefix="items", form_kwargs=_item_kwargs(request, None))
        if form.is_valid() and formset.is_valid() and not _empty_unconfirmed(form, formset):
            try:
                karte = karte_create(
                    salon=request.salon,
                    actor=request.user,
                    customer=customer,
                    treatment_date=form.cleaned_data["treatment_date"],
                    staff=form.cleaned_data["staff"],
                    menu=form.cleaned_data["menu"],
                    menu_item_ids=form.cleaned_data["menu_items"],
                    nominated=form.cleaned_data["nominated"],
                    next_visit_weeks=form.cleaned_data["next_visit_weeks"],
                    items=_items_from_formset(formset),
                    client_key=form.cleaned_data.get("client_key"),
                )
            except PhotoAlreadyUsed:
                messages.error(request, PHOTO_TAKEN)
            else:
                messages.success(
                    request,
                    _("The karte for %(date)s was saved.") % {"date": date_format(karte.treatment_date)},
                )
                return _saved(request, customer, karte)
        else:
            messages.error(request, _("The karte was not saved yet. Check the highlighted fields."))
    else:
        initial = {"treatment_date": timezone.localdate(), "staff": request.staff, "client_key": uuid.uuid4()}
        visit = appointment_for_karte(customer=customer, pk=request.GET.get("appointment"))
        if visit is not None:
            # 「来店」 in the ledger: the appointment's day, staff member and menus, filled in.
            initial.update(
                treatment_date=timezone.localtime(visit.starts_at).date(),
                staff=visit.staff or request.staff,
                menu_items=[line["id"] for line in visit.menu_lines if line.get("id")],
            )
        form = KarteForm(staff_queryset=staff_queryset, birthday=customer.birthday, initial=initial)
        formset = ItemFormSet(prefix="items", form_kwargs=_item_kwargs(request, None))
    context = _editor_context(request, customer=customer, karte=None, form=form, formset=formset)
    return render(request, "staff/kartes/editor.html", context)


def _initial_items(karte):
    return [
        {
            "id": item.pk,
            "kind": item.kind,
            "text": item.text,
            "caption": item.caption,
            "photo_tag": item.photo_tag,
            "angle": item.angle_id,
            "image": item.image_id,
            "drawing": "" if item.drawing is None else json.dumps(item.drawing),
            "template": item.template,
            "recipe": "" if item.recipe is None else json.dumps(item.recipe, ensure_ascii=False),
            "is_public": item.is_public,
            "ORDER": index + 1,
        }
        for index, item in enumerate(karte.items.all())
    ]


@karte_staff_required
def karte_edit(request, pk):
    karte = get_karte_for_staff(request, pk)
    customer = karte.customer
    staff_queryset = _staff_choices(karte)
    conflict = False
    if request.method == "POST":
        form = KarteForm(request.POST, staff_queryset=staff_queryset, birthday=customer.birthday)
        formset = ItemFormSet(request.POST, prefix="items", form_kwargs=_item_kwargs(request, karte))
        if form.is_valid() and formset.is_valid() and not _empty_unconfirmed(form, formset):
            try:
                karte_update(
                    karte=karte,
                    actor=request.user,
                    expected_version=form.cleaned_data.get("version") or 0,
                    treatment_date=form.cleaned_data["treatment_date"],
                    staff=form.cleaned_data["staff"],
                    menu=form.cleaned_data["menu"],
                    menu_item_ids=form.cleaned_data["menu_items"],
                    nominated=form.cleaned_data["nominated"],
                    next_visit_weeks=form.cleaned_data["next_visit_weeks"],
                    items=_items_from_formset(formset),
                    save_key=form.cleaned_data.get("save_key"),
                )
            except PhotoAlreadyUsed:
                messages.error(request, PHOTO_TAKEN)
            except KarteConflict:
                conflict = True
                messages.error(
                    request,
                    _(
                        "Someone else saved this karte while you were editing it. Your changes are still "
                        "below and were not saved: open the latest version in a new tab, compare, then save "
                        "again."
                    ),
                )
            else:
                messages.success(request, _("The karte was saved."))
                return _saved(request, customer, karte)
        else:
            messages.error(request, _("The karte was not saved yet. Check the highlighted fields."))
    else:
        form = KarteForm(
            staff_queryset=staff_queryset,
            birthday=customer.birthday,
            initial={
                "treatment_date": karte.treatment_date,
                "staff": karte.staff,
                "nominated": karte.nominated,
                "next_visit_weeks": karte.next_visit_weeks,
                "menu_items": [line["item"] for line in karte.menu_lines if line.get("item")],
                # Typed menus; a karte saved before the catalogue has its whole menu here.
                "menu": MENU_SEPARATOR.join(line["name"] for line in karte.menu_lines if not line.get("item"))
                if karte.menu_lines
                else karte.menu,
                "version": karte.version,
                "save_key": uuid.uuid4(),
            },
        )
        formset = ItemFormSet(
            prefix="items", initial=_initial_items(karte), form_kwargs=_item_kwargs(request, karte)
        )
    context = _editor_context(
        request, customer=customer, karte=karte, form=form, formset=formset, conflict=conflict
    )
    return render(request, "staff/kartes/editor.html", context)


@karte_staff_required
def karte_print(request, pk):
    karte = get_karte_for_staff(request, pk)
    karte = karte_history(customer=karte.customer).get(pk=karte.pk)
    context = {
        "karte": karte,
        "customer": karte.customer,
        "back_url": f"{karte.customer.get_absolute_url()}#karte-{karte.pk}",
    }
    return render(request, "staff/print/karte.html", context)


@karte_staff_required
def karte_delete_view(request, pk):
    karte = get_karte_for_staff(request, pk)
    if request.method == "POST":
        customer = karte.customer
        karte_delete(karte=karte, actor=request.user)
        messages.success(request, _("The karte was deleted."))
        return redirect(customer.get_absolute_url())
    return render(request, "staff/kartes/delete.html", {"karte": karte, "customer": karte.customer})


@karte_staff_required
@require_POST
def item_publish(request, pk):
    item = get_item_for_staff(request, pk)
    public = request.POST.get("public") == "1"
    try:
        item = item_set_public(item=item, actor=request.user, public=public)
    except StaffOnlyItem:
        return HttpResponseBadRequest(_("A colour recipe is for staff only and cannot be made public."))
    if request.headers.get("HX-Request"):
        # A face is personal: the photo just made public can be taken back with one tap.
        undo = public and item.kind == ItemKind.PHOTO
        return render(request, "staff/kartes/_history_item.html", {"item": item, "undo": undo})
    messages.success(request, _("Made public.") if item.is_public else _("Made private."))
    return redirect(f"{item.karte.customer.get_absolute_url()}#karte-{item.karte_id}")


@karte_staff_required
@require_POST
def image_upload(request):
    """Receives one photo or illustration; the karte form refers to it by id when saved."""
    try:
        upload_key = uuid.UUID(request.POST.get("upload_key", ""))
    except ValueError:
        return JsonResponse({"error": _("The upload could not be identified. Please try again.")}, status=400)
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse({"error": _("No file was received. Please try again.")}, status=400)
    kind = request.POST.get("kind", ImageKind.PHOTO)
    if upload.size > settings.KARTE_PHOTO_MAX_BYTES:
        return JsonResponse(
            {
                "error": _("The file is too large. Photos can be up to %(limit)d MB.")
                % {"limit": settings.KARTE_PHOTO_MAX_BYTES // (1024 * 1024)}
            },
            status=413,
        )
    try:
        asset, created = image_asset_create(
            salon=request.salon,
            user=request.user,
            upload_key=upload_key,
            data=upload.read(),
            kind=kind,
            # A drawing is a small canvas picture: its copies are made at once, so the pad can show it.
            copies_now=kind == ImageKind.ILLUSTRATION,
        )
    except ImageRejected as rejection:
        return JsonResponse({"error": str(rejection), "retryable": False}, status=422)
    return JsonResponse(image_state(asset), status=201 if created else 200)


def image_state(asset) -> dict:
    """What the editor needs to show a photo: its copies when ready, else 処理中 or the failure."""
    state = {
        "id": str(asset.id),
        "status": asset.status,
        "small": asset_url(asset, "small"),
        "large": asset_url(asset, "large"),
        "width": asset.width,
        "height": asset.height,
        "status_url": reverse("staff:image_status", kwargs={"pk": asset.id}),
    }
    if asset.status == ImageStatus.FAILED:
        failure = ImageFailure(asset.failure or ImageFailure.ERROR)
        state["error"] = str(failure.label)
        if failure == ImageFailure.ERROR:
            # A damaged file stays damaged: only an error of ours is worth another try.
            state["retry_url"] = reverse("staff:image_retry", kwargs={"pk": asset.id})
    return state


@karte_staff_required
def image_status(request, pk):
    response = JsonResponse(image_state(get_image_for_staff(request, pk)))
    response["Cache-Control"] = "private, no-store"
    return response


@karte_staff_required
@require_POST
def image_retry(request, pk):
    asset = image_asset_retry(asset=get_image_for_staff(request, pk))
    return JsonResponse(image_state(asset))


def asset_url(asset, size):
    return reverse("staff:image", kwargs={"pk": asset.id, "size": size})


@karte_staff_required
def image_file(request, pk, size):
    asset = get_image_for_staff(request, pk)
    if size not in {*DISPLAY_SIZES, "original"}:
        raise Http404
    size = asset.copy_name(size)
    if size != "original" and asset.status != ImageStatus.READY:
        # The copies are still being made (or could not be): the page shows 処理中 instead.
        raise Http404
    content_type = "image/webp" if size != "original" else _original_type(asset.original_format)
    response = stored_file_response(
        getattr(asset, size),
        content_type=content_type,
        request=request,
        sha256=getattr(asset, f"{size}_sha256"),
        modified=asset.created_at,
    )
    # Personal data on a tablet that several staff share: nothing may stay in the browser's cache
    # after a logout, so it is fetched each time (the editor and history show small copies).
    response["Cache-Control"] = "private, no-store"
    if size == "original":
        response["Content-Disposition"] = f'attachment; filename="karte-{asset.id}"'
    return response


def _original_type(fmt):
    return {
        "JPEG": "image/jpeg",
        "MPO": "image/jpeg",
        "PNG": "image/png",
        "WEBP": "image/webp",
        "HEIF": "image/heic",
    }.get(fmt, "application/octet-stream")


@karte_staff_required
@require_POST
def item_portfolio(request, pk):
    """「作品として掲載」: ask in the app, or record the customer's answer given at the salon."""
    item = get_item_for_staff(request, pk)
    action = request.POST.get("action")
    try:
        if action == "ask":
            item = portfolio_ask(item=item, actor=request.user)
        elif action in ("yes", "no"):
            item = portfolio_record(item=item, actor=request.user, allowed=action == "yes")
        else:
            return HttpResponseBadRequest(_("Choose what to record."))
    except NotAPhoto:
        return HttpResponseBadRequest(_("Only a photo the customer can see can be asked about in the app."))
    if request.headers.get("HX-Request"):
        return render(request, "staff/kartes/_history_item.html", {"item": item})
    return redirect(f"{item.karte.customer.get_absolute_url()}#karte-{item.karte_id}")


@karte_staff_required
def item_portfolio_save(request, pk):
    """「作品用に保存」: a copy without metadata, under a neutral name; only with the customer's consent."""
    item = get_item_for_staff(request, pk)
    try:
        data, name = portfolio_copy(item=item, actor=request.user)
    except NoConsent:
        return HttpResponseForbidden(
            _("The customer has not agreed to this photo being shown as the salon's work.")
        )
    response = HttpResponse(data, content_type="image/jpeg")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
