"""The salon's notices on the phone: the list, one notice, and its read receipt."""

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from notices.selectors import get_visible_notice, unread_count, visible_notices
from notices.services import notice_mark_read

from ..access import app_view
from ..paging import page_of


@app_view()
def notice_list(request):
    page = page_of(visible_notices(customer=request.device.customer), request)
    return render(request, "customer_app/notices.html", {"page": page})


@app_view()
def notice_detail(request, pk):
    notice = get_visible_notice(customer=request.device.customer, pk=pk)
    return render(request, "customer_app/notice.html", {"notice": notice})


@require_POST
@app_view()
def notice_read(request, pk):
    """Mark a notice read. Idempotent, so the phone may send it again after being offline."""
    notice = get_visible_notice(customer=request.device.customer, pk=pk)
    notice_mark_read(notice=notice, customer=request.device.customer)
    return JsonResponse({"ok": True, "unread": unread_count(customer=request.device.customer)})
