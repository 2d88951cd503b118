from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from menus.models import MenuCategory, MenuItem
from menus.selectors import menu_catalogue
from menus.services import (
    menu_category_save,
    menu_entry_archive,
    menu_entry_move,
    menu_item_save,
    menu_preset_apply,
)
from salons.access import owner_required

from ..access import get_menu_category_for_owner, get_menu_item_for_owner
from ..forms.menus import MenuCategoryForm, MenuItemForm, MenuPresetForm


def _entry(request, kind: str, pk: int) -> MenuCategory | MenuItem:
    if kind == "category":
        return get_menu_category_for_owner(request, pk)
    return get_menu_item_for_owner(request, pk)


@owner_required
def menu_list(request):
    show_archived = request.GET.get("archived") == "1"
    catalogue = menu_catalogue(include_archived=show_archived)
    context = {
        "catalogue": catalogue,
        "show_archived": show_archived,
        "category_form": MenuCategoryForm(),
        "preset_form": MenuPresetForm(),
    }
    return render(request, "staff/salon/menu_list.html", context)


@owner_required
@require_POST
def menu_preset(request):
    form = MenuPresetForm(request.POST)
    if form.is_valid():
        menu_preset_apply(salon=request.salon, salon_type=form.cleaned_data["salon_type"], actor=request.user)
        messages.success(request, _("The starting menu was added. Change names and prices to your own."))
    return redirect("staff:menu_list")


@owner_required
def menu_category_form(request, pk=None):
    category = get_menu_category_for_owner(request, pk) if pk else None
    form = MenuCategoryForm(request.POST or None, initial={"name": category.name} if category else None)
    if request.method == "POST" and form.is_valid():
        menu_category_save(
            salon=request.salon, actor=request.user, name=form.cleaned_data["name"], category=category
        )
        messages.success(request, _("The category was saved."))
        return redirect("staff:menu_list")
    return render(request, "staff/salon/menu_form.html", {"form": form, "category": category, "item": None})


@owner_required
def menu_item_form(request, pk=None):
    item = get_menu_item_for_owner(request, pk) if pk else None
    initial = {"category": request.GET.get("category")}
    if item is not None:
        initial = {
            "category": item.category_id,
            "name": item.name,
            "price": item.price,
            "minutes": item.minutes,
        }
    form = MenuItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        menu_item_save(salon=request.salon, actor=request.user, item=item, **form.cleaned_data)
        messages.success(request, _("%(name)s was saved.") % {"name": form.cleaned_data["name"]})
        return redirect("staff:menu_list")
    return render(request, "staff/salon/menu_form.html", {"form": form, "category": None, "item": item})


@owner_required
@require_POST
def menu_entry_action(request, kind, pk):
    entry = _entry(request, kind, pk)
    action = request.POST.get("action")
    if action in {"up", "down"}:
        menu_entry_move(entry=entry, step=-1 if action == "up" else 1)
    elif action in {"archive", "restore"}:
        menu_entry_archive(entry=entry, actor=request.user, archived=action == "archive")
        if action == "archive":
            messages.success(
                request, _("%(name)s is no longer offered. Past kartes keep it.") % {"name": entry.name}
            )
    suffix = "?archived=1" if request.POST.get("archived") == "1" else ""
    return redirect(f"{reverse('staff:menu_list')}{suffix}#{kind}-{entry.pk}")
