import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linking.selectors import active_devices
from notices.models import Notice
from notices.selectors import broadcast_audience, notices_for_staff, with_read_totals
from notices.services import notice_create, notice_update, notice_withdraw
from notices.starters import starters_for
from push.selectors import pushed_counts
from push.services import push_configured
from salons.access import staff_required

from ..access import get_customer_for_staff, get_notice_for_staff
from ..forms.notices import NoticeForm

DEFAULT_PERIOD = datetime.timedelta(days=14)


def _initial_period():
    start = timezone.localtime().replace(second=0, microsecond=0)
    return {"starts_at": start, "ends_at": start + DEFAULT_PERIOD}


@staff_required
def notice_list(request):
    page = Paginator(notices_for_staff(), 30).get_page(request.GET.get("page"))
    audience = broadcast_audience()
    page.object_list = with_read_totals(page.object_list, audience=audience)
    pushed = pushed_counts(notice_ids=[notice.pk for notice in page.object_list])
    for notice in page.object_list:
        notice.pushed = pushed.get(notice.pk, 0)  # type: ignore[attr-defined]
    context = {"page": page, "audience": audience, "now": timezone.now(), "push_available": push_configured()}
    return render(request, "staff/notices/list.html", context)


def _editor(request, *, customer=None, notice=None):
    if not request.salon.customer_app_enabled:
        # Notices reach customers through the app: without its option there is no one to post to.
        return render(request, "staff/notices/option_required.html", {"customer": customer}, status=403)
    editing = notice is not None
    initial = (
        {"title": notice.title, "body": notice.body, "starts_at": notice.starts_at, "ends_at": notice.ends_at}
        if editing
        else _initial_period()
    )
    # Who a notice is for comes from where it is written (the notices page: everyone; a customer's
    # page: that customer) and stays fixed once posted.
    form = NoticeForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "preview" in request.POST:
            preview = Notice(
                title=data["title"], body=data["body"], starts_at=data["starts_at"], ends_at=data["ends_at"]
            )
        elif editing:
            notice_update(
                notice=notice,
                actor=request.user,
                **{k: data[k] for k in ("title", "body", "starts_at", "ends_at")},
            )
            messages.success(request, _("The notice was saved. Its view count is kept."))
            return redirect("staff:notice_list")
        else:
            notice_create(
                salon=request.salon,
                actor=request.user,
                customer=customer,
                client_key=data.get("client_key"),
                **{k: data[k] for k in ("title", "body", "starts_at", "ends_at")},
            )
            messages.success(request, _("The notice was posted."))
            if customer is not None:
                return redirect("staff:customer_detail", pk=customer.pk)
            return redirect("staff:notice_list")
    context = {
        "form": form,
        "customer": customer if not editing else notice.customer,
        "notice": notice,
        "preview": preview,
        "starters": starters_for(customer_name=customer.name, salon_name=request.salon.name)
        if customer
        else [],
        "audience": broadcast_audience() if customer is None and not editing else None,
        "customer_linked": customer is not None and active_devices(customer=customer).exists(),
    }
    return render(request, "staff/notices/form.html", context)


@staff_required
def notice_create_view(request):
    return _editor(request)


@staff_required
def customer_notice_create(request, pk):
    customer = get_customer_for_staff(request, pk)
    return _editor(request, customer=customer)


@staff_required
def notice_edit(request, pk):
    notice = get_notice_for_staff(request, pk)
    return _editor(request, notice=notice)


@staff_required
@require_POST
def notice_withdraw_view(request, pk):
    notice = get_notice_for_staff(request, pk)
    notice_withdraw(notice=notice, actor=request.user)
    messages.success(request, _("The notice was withdrawn; customers no longer see it."))
    return redirect("staff:notice_list")
