import copy
import re

from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.factors import factors_remove, has_second_factor, users_with_second_factor
from accounts.services import invitation_pending, invitation_resend, invitation_send, password_set_by_owner
from audit.selectors import audit_page
from common.idempotency import parse_key
from common.serving import stored_file_response
from customers.models import Customer
from customers.retention import retention_keep, retention_listed, retention_off, retention_run
from salons.access import owner_required, staff_required
from salons.icons import salon_icon_png
from salons.selectors import staff_member_sent_with, staff_members_listed
from salons.services import salon_update_settings, staff_member_create, staff_member_update

from ..access import get_staff_member_for_owner
from ..forms.account import StaffInviteForm
from ..forms.salon import SalonSettingsForm, StaffCreateForm, StaffEditForm


@owner_required
def salon_settings(request):
    salon = request.salon
    form = SalonSettingsForm(request.POST or None, request.FILES or None, instance=salon)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in SalonSettingsForm.Meta.fields}
        salon_update_settings(
            salon=salon, actor=request.user, data=data, logo=form.cleaned_data.get("logo_upload")
        )
        if "retention_years" in form.changed_data:
            # Listed anew under the new period (a month's notice again), or nobody, when turned off.
            retention_off(salon=salon)
            retention_run(salon=salon, today=timezone.localdate())
        messages.success(request, _("The salon settings were saved."))
        return redirect("staff:salon_settings")
    return render(request, "staff/salon/settings.html", {"form": form})


@owner_required
def salon_icon_preview(request):
    """The app icon as it would be drawn with the name, app name and colour being typed (not saved)."""
    salon = copy.copy(request.salon)
    salon.name = request.GET.get("name", "").strip()[:100] or salon.name
    salon.app_name = request.GET.get("app_name", salon.app_name).strip()[:12]
    colour = request.GET.get("theme_color", "")
    if re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        salon.theme_color = colour
    response = HttpResponse(salon_icon_png(salon, 180), content_type="image/png")
    response["Cache-Control"] = "no-store"
    return response


@staff_required
def salon_logo(request):
    if not request.salon.logo:
        raise Http404
    response = stored_file_response(request.salon.logo, content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response


@owner_required
def staff_list(request):
    listed = list(staff_members_listed())
    protected = users_with_second_factor([member.user_id for member in listed])
    members = [(member, invitation_pending(member), member.user_id in protected) for member in listed]
    return render(request, "staff/salon/staff_list.html", {"members": members})


@owner_required
def staff_create(request):
    form = StaffCreateForm(request.POST or None)
    key = parse_key(request.POST.get("client_key")) if request.method == "POST" else None
    created = staff_member_sent_with(key)
    if created is not None:
        # The same form again after its reply was lost: the login exists, which is what was asked.
        messages.success(request, _("%(name)s can now log in.") % {"name": created.display_name})
        return redirect("staff:staff_list")
    if request.method == "POST" and form.is_valid():
        member = staff_member_create(salon=request.salon, actor=request.user, **form.cleaned_data)
        messages.success(request, _("%(name)s can now log in.") % {"name": member.display_name})
        return redirect("staff:staff_list")
    return render(request, "staff/salon/staff_form.html", {"form": form, "member": None})


@owner_required
def staff_invite(request):
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = invitation_send(
            salon=request.salon,
            actor=request.user,
            base_url=request.build_absolute_uri("/"),
            **form.cleaned_data,
        )
        messages.success(
            request,
            _("An invitation was sent to %(email)s. %(name)s chooses a login name and password from it.")
            % {"email": member.user.email, "name": member.display_name},
        )
        return redirect("staff:staff_list")
    return render(request, "staff/salon/staff_invite.html", {"form": form})


@owner_required
@require_POST
def staff_invite_resend(request, pk):
    member = get_staff_member_for_owner(request, pk)
    if not invitation_pending(member) or not member.is_active:
        messages.error(request, _("%(name)s has already joined.") % {"name": member.display_name})
        return redirect("staff:staff_list")
    invitation_resend(member, actor=request.user, base_url=request.build_absolute_uri("/"))
    messages.success(request, _("The invitation was sent again to %(email)s.") % {"email": member.user.email})
    return redirect("staff:staff_list")


@owner_required
@require_POST
def staff_factor_reset(request, pk):
    """For a stylist who lost the phone with their authenticator and their recovery codes."""
    member = get_staff_member_for_owner(request, pk)
    if member == request.staff:
        messages.error(request, _("Remove your own second factor from your account page."))
    else:
        factors_remove(member.user, actor=request.user, base_url=request.build_absolute_uri("/"))
        messages.success(
            request,
            _("The second factor of %(name)s was removed. They set up a new one at their next login.")
            % {"name": member.display_name},
        )
    return redirect("staff:staff_edit", pk=member.pk)


@owner_required
def staff_edit(request, pk):
    member = get_staff_member_for_owner(request, pk)
    form = StaffEditForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        if member == request.staff and (
            not form.cleaned_data["is_active"] or form.cleaned_data["role"] != "owner"
        ):
            form.add_error(None, _("You cannot remove your own owner access."))
        else:
            staff_member_update(member=member, actor=request.user, data=form.cleaned_data)
            messages.success(request, _("The staff member was saved."))
            return redirect("staff:staff_list")
    return _staff_page(request, member, form)


def _staff_page(request, member, form, password_form=None, status=200):
    context = {
        "form": form,
        "member": member,
        "second_factor": has_second_factor(member.user),
        "password_form": password_form or SetPasswordForm(member.user),
    }
    return render(request, "staff/salon/staff_form.html", context, status=status)


@owner_required
@require_POST
def staff_password_set(request, pk):
    """A new password for a staff member who forgot theirs and has no email address to reset it."""
    member = get_staff_member_for_owner(request, pk)
    if member == request.staff:
        return redirect("staff:account")
    password_form = SetPasswordForm(member.user, request.POST)
    if not password_form.is_valid():
        return _staff_page(request, member, StaffEditForm(instance=member), password_form, status=400)
    password_set_by_owner(
        member.user,
        password=password_form.cleaned_data["new_password1"],
        actor=request.user,
        base_url=request.build_absolute_uri("/"),
    )
    messages.success(
        request,
        _("A new password was set for %(name)s, who was logged out everywhere. Tell it to them in person.")
        % {"name": member.display_name},
    )
    return redirect("staff:staff_edit", pk=member.pk)


AUDIT_PAGE = 50


def _entry_id(value) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@owner_required
def audit_list(request):
    page = audit_page(
        before=_entry_id(request.GET.get("before")),
        after=_entry_id(request.GET.get("after")),
        size=AUDIT_PAGE,
    )
    context = {"entries": page.entries, "older": page.older, "newer": page.newer}
    return render(request, "staff/salon/audit.html", context)


RETENTION_PER_PAGE = 50


@owner_required
def retention(request):
    """The customers the retention period will erase, soonest first, each to keep with a tap."""
    page = Paginator(retention_listed(salon=request.salon), RETENTION_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "staff/salon/retention.html", {"page": page})


@owner_required
@require_POST
def retention_keep_view(request, pk):
    customer: Customer = get_object_or_404(Customer.objects.filter(retention_due_on__isnull=False), pk=pk)
    retention_keep(customer=customer, actor=request.user)
    messages.success(request, _("%(name)s will be kept.") % {"name": customer.name})
    return redirect("staff:retention")
