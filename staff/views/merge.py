"""Two records of one person made one: the owner compares them side by side, chooses each detail,
merges B into A, and can undo it for a week."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from customers.merge import (
    BOTH_FIELDS,
    MERGE_FIELDS,
    AlreadyMerged,
    MergeRefused,
    UndoRefused,
    customer_merge,
    customer_merge_undo,
    default_choices,
    what_moves,
)
from customers.models import Customer, CustomerMerge
from salons.access import owner_required

CHOICES = ("target", "source", "both")
LABELS = {field.name: field.verbose_name for field in Customer._meta.concrete_fields}
# What moves, in the owner's words (a kind not named here shows its model's name).
MOVES = {
    "kartes.Karte": _l("Kartes"),
    "counselling.SheetResponse": _l("Counselling sheets"),
    "linking.Device": _l("Phones linked to the app"),
    "linking.LinkCode": _l("Linking codes"),
    "notices.Notice": _l("Notices to this customer"),
    "notices.NoticeRead": _l("Read marks of notices"),
    "followups.FollowUp": _l("Follow-ups"),
    "appointments.Appointment": _l("Appointments"),
    "appointments.AppointmentRequest": _l("Booking requests"),
    "privacy.DataRequest": _l("Data requests"),
}


def _unmerged(pk: int) -> Customer:
    return get_object_or_404(Customer.objects.filter(merged_into__isnull=True), pk=pk)


@owner_required
def customer_merge_view(request, pk, other_pk):
    """A (pk) keeps its number and, by default, its details; B (other_pk) is merged into it."""
    target, source = _unmerged(pk), _unmerged(other_pk)
    if target.pk == source.pk:
        raise Http404
    defaults = default_choices(target, source)
    chosen = {
        name: request.POST.get(name, defaults[name]) if request.method == "POST" else defaults[name]
        for name in MERGE_FIELDS
    }
    chosen = {name: choice if choice in CHOICES else "target" for name, choice in chosen.items()}
    if request.method == "POST":
        try:
            customer_merge(target=target, source=source, choices=chosen, actor=request.user)
        except AlreadyMerged:
            messages.error(
                request, _("One of the two records was merged a moment ago. Nothing more was changed.")
            )
            return redirect("staff:customer_detail", pk=target.pk)
        except MergeRefused:
            raise Http404 from None
        messages.success(
            request,
            _("%(source)s was merged into %(target)s. You can undo it here for 7 days.")
            % {"source": source.name, "target": target.name},
        )
        return redirect("staff:customer_detail", pk=target.pk)
    rows = [
        {
            "name": name,
            "label": LABELS[name],
            "ours": getattr(target, name),
            "theirs": getattr(source, name),
            "display": getattr(target, f"get_{name}_display", None),
            "choice": chosen[name],
            "both": name in BOTH_FIELDS,
            "same": getattr(target, name) == getattr(source, name),
        }
        for name in MERGE_FIELDS
    ]
    moves = {str(MOVES.get(label, label)): count for label, count in what_moves(source).items()}
    context = {"target": target, "source": source, "rows": rows, "moves": moves}
    return render(request, "staff/customers/merge.html", context)


@owner_required
@require_POST
def customer_merge_undo_view(request, pk):
    merge: CustomerMerge = get_object_or_404(CustomerMerge.objects.select_related("target", "source"), pk=pk)
    try:
        source = customer_merge_undo(merge=merge, actor=request.user, now=timezone.now())
    except UndoRefused:
        messages.error(request, _("This merge can no longer be undone."))
        return redirect("staff:customer_detail", pk=merge.target_id)
    messages.success(
        request, _("The merge was undone: %(name)s is a record of its own again.") % {"name": source.name}
    )
    return redirect("staff:customer_detail", pk=source.pk)
