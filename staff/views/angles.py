"""「撮影アングル」: the salon's list of photo angles, for the owner."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from common.text import parse_id
from kartes.angles import (
    MAX_ANGLES,
    AngleRefused,
    angle_add,
    angle_delete,
    angle_move,
    angle_rename,
    angles_preset_add,
    salon_angles,
)
from kartes.models import PhotoAngle
from salons.access import owner_required

from ..forms.sheets import SheetPresetForm


@owner_required
def angle_settings(request):
    """The list, and its changes: add, rename, move, remove, and a kind of salon's angles added.
    A name refused is shown with the reason and kept in its box."""
    refused, typed = "", {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        angle = None
        if action in {"rename", "up", "down", "delete"}:
            angle = get_object_or_404(PhotoAngle, pk=parse_id(request.POST.get("angle", "")) or 0)
        try:
            if action == "add":
                added = angle_add(salon=request.salon, name=request.POST.get("name", ""), actor=request.user)
                messages.success(request, _("“%(name)s” was added.") % {"name": added.name})
            elif action == "preset":
                form = SheetPresetForm(request.POST)
                if form.is_valid():
                    found = angles_preset_add(
                        salon=request.salon, salon_type=form.cleaned_data["salon_type"], actor=request.user
                    )
                    messages.success(
                        request,
                        _("%(count)d angles were added.") % {"count": len(found)}
                        if found
                        else _("The list already has all of them."),
                    )
            elif angle is not None and action == "rename":
                angle_rename(angle=angle, name=request.POST.get("name", ""), actor=request.user)
                messages.success(request, _("The angle was renamed."))
            elif angle is not None and action in {"up", "down"}:
                angle_move(angle=angle, step=-1 if action == "up" else 1)
            elif angle is not None and action == "delete":
                angle_delete(angle=angle, actor=request.user)
                messages.success(
                    request, _("The angle was removed. Its photos keep their place, without an angle.")
                )
        except AngleRefused as refusal:
            refused = str(refusal)
            typed = {"angle": request.POST.get("angle", ""), "name": request.POST.get("name", "")}
        else:
            anchor = f"#angle-{angle.pk}" if angle is not None and action in {"up", "down", "rename"} else ""
            return redirect(reverse("staff:angle_settings") + anchor)
    context = {
        "angles": salon_angles(salon=request.salon),
        "preset_form": SheetPresetForm(),
        "most": MAX_ANGLES,
        "refused": refused,
        "typed": typed,
    }
    return render(request, "staff/salon/angles.html", context, status=400 if refused else 200)
