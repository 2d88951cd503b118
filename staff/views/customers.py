from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Min
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from appointments.selectors import upcoming_for_customer
from common.middleware import CONTENT_SECURITY_POLICY
from common.paging import CappedPaginator
from common.text import parse_id
from counselling.selectors import customer_sheets
from customers.duplicates import open_pair_count, pairs_of
from customers.merge import merges_to_undo
from customers.models import Customer
from customers.retention import retention_listed
from customers.selectors import (
    customers_by_id,
    customers_in_order,
    customers_matching,
    matching_ids,
    merged_by_number,
)
from customers.services import (
    NumberTaken,
    customer_archive,
    customer_create,
    customer_restore,
    customer_update,
)
from followups.selectors import followups_for_staff
from kartes.selectors import (
    TIMELINE_VISITS,
    angle_timelines,
    ghost_photo,
    home_cards,
    karte_history,
    visible_kartes,
    with_earlier_photos,
)
from linking.selectors import with_app_flag
from privacy.selectors import open_data_requests
from push.selectors import devices_with_push_state
from push.services import push_configured
from salons.access import karte_staff_required, staff_required

from ..access import get_customer_for_staff
from ..forms.customers import CustomerForm, CustomerSearchForm

CUSTOMERS_PER_PAGE = 50
# The list counts this many customers at most ("more than 1,000"): beyond that, staff search.
CUSTOMER_COUNT_CAP = 1000
KARTES_PER_PAGE = 10
# The preview shows the newest kartes, as many as the phone's list shows on its first page.
PREVIEW_KARTES = 30


def _search_page(request, matches, sort):
    """A page of search results from one pass over the matches: the matching ids (at most the cap)
    are read once, sorted by the database; only the page's customers are then read whole."""
    ids = matching_ids(matches, sort=sort, cap=CUSTOMER_COUNT_CAP)
    page = CappedPaginator(ids, CUSTOMERS_PER_PAGE, cap=CUSTOMER_COUNT_CAP).get_page(request.GET.get("page"))
    rows = customers_by_id(list(page.object_list))
    if request.salon.customer_app_enabled:
        rows = with_app_flag(rows)
    by_id = {customer.pk: customer for customer in rows}
    page.object_list = [by_id[pk] for pk in page.object_list if pk in by_id]
    return page


# The customer list's 「重複の可能性」 note counts this many pairs at most (then: 99組以上).
DUPLICATES_COUNTED = 99


@staff_required
def customer_list(request):
    search = CustomerSearchForm(request.GET or None)
    search.is_valid()
    query = search.cleaned_data.get("q", "") if search.is_bound else ""
    sort = (search.cleaned_data.get("sort") if search.is_bound else "") or "kana"
    archived = bool(search.cleaned_data.get("archived")) if search.is_bound else False

    customers = customers_matching(salon=request.salon, query=query, archived=archived)
    merged = None
    if query:
        page = _search_page(request, customers, sort)
        if not page.object_list:
            merged = merged_by_number(query)
    else:
        if request.salon.customer_app_enabled:
            customers = with_app_flag(customers)
        page = CappedPaginator(
            customers_in_order(customers, sort=sort), CUSTOMERS_PER_PAGE, cap=CUSTOMER_COUNT_CAP
        ).get_page(request.GET.get("page"))
    query_string = urlencode({"q": query, "sort": sort, **({"archived": "on"} if archived else {})})
    context = {
        "page": page,
        "search": search,
        "query": query,
        "sort": sort,
        "archived": archived,
        "query_string": query_string,
        "merged": merged,
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "customer-results":
        return render(request, "staff/customers/_results.html", context)
    if request.staff.is_owner:
        context["retention"] = retention_listed(salon=request.salon).aggregate(
            count=Count("pk"), soonest=Min("retention_due_on")
        )
    context["duplicates_waiting"] = open_pair_count(cap=DUPLICATES_COUNTED)
    context["duplicates_more"] = context["duplicates_waiting"] > DUPLICATES_COUNTED
    return render(request, "staff/customers/list.html", context)


@staff_required
def customer_create_view(request):
    form = CustomerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer = customer_create(
                salon=request.salon,
                actor=request.user,
                data=form.cleaned_data,
                client_key=form.cleaned_data.get("client_key"),
            )
        except NumberTaken:
            # Taken by someone else between the check and the save.
            form.add_error("number", _("This customer number was just given to another customer."))
        else:
            messages.success(request, _("%(name)s was added.") % {"name": customer.name})
            return redirect("staff:customer_detail", pk=customer.pk)
    return render(request, "staff/customers/form.html", {"form": form, "customer": None})


@staff_required
def customer_edit(request, pk):
    customer = get_customer_for_staff(request, pk)
    form = CustomerForm(request.POST or None, instance=customer, personal=request.staff.sees_personal)
    if request.method == "POST" and form.is_valid():
        customer_update(customer=customer, actor=request.user, data=form.cleaned_data)
        messages.success(request, _("The customer's details were saved."))
        return redirect("staff:customer_detail", pk=customer.pk)
    return render(request, "staff/customers/form.html", {"form": form, "customer": customer})


# The customer page lists this many of the customer's counselling sheets, the newest open.
CUSTOMER_SHEETS = 5


@staff_required
def customer_detail(request, pk):
    customer: Customer = get_object_or_404(Customer.objects.all(), pk=pk)
    if customer.merged_into_id is not None:
        messages.info(
            request,
            _("%(number)s %(name)s was merged into this record.")
            % {"number": customer.number_display, "name": customer.name},
        )
        return redirect("staff:customer_detail", pk=customer.merged_into_id)
    # Reception sees the customer without their kartes and photos.
    history = karte_history(customer=customer)
    if not request.staff.works_on_kartes:
        history = history.none()
    kartes = Paginator(history, KARTES_PER_PAGE).get_page(request.GET.get("page"))
    kartes.object_list = list(kartes.object_list)
    with_earlier_photos(customer=customer, kartes=kartes.object_list, public_only=False)
    devices = list(devices_with_push_state(customer=customer)) if request.salon.customer_app_enabled else []
    data_requests = open_data_requests(customer=customer)
    context = {
        "customer": customer,
        "kartes": kartes,
        "devices": devices,
        "push_available": push_configured(),
        # takes_push is the annotation devices_with_push_state adds, which the type checker cannot follow.
        "push_devices": {device.pk for device in devices if device.takes_push},  # type: ignore[attr-defined]
        "data_requests": data_requests,
        "followups": followups_for_staff(customer=customer),
        "sheets": list(customer_sheets(customer=customer)[:CUSTOMER_SHEETS]),
        "upcoming": upcoming_for_customer(customer=customer, now=timezone.now()),
        "today": timezone.localdate(),
        "duplicates": [{"pair": pair, "people": [other]} for pair, other in pairs_of(customer)],
        "merges": merges_to_undo(customer=customer, now=timezone.now()) if request.staff.is_owner else [],
    }
    return render(request, "staff/customers/detail.html", context)


@staff_required
@require_POST
def customer_archive_view(request, pk):
    customer = get_customer_for_staff(request, pk)
    customer_archive(customer=customer, actor=request.user)
    messages.success(
        request,
        _("%(name)s was archived. You can restore them from the archived list.") % {"name": customer.name},
    )
    return redirect("staff:customer_detail", pk=customer.pk)


@staff_required
@require_POST
def customer_restore_view(request, pk):
    customer = get_customer_for_staff(request, pk)
    customer_restore(customer=customer, actor=request.user)
    messages.success(request, _("%(name)s was restored.") % {"name": customer.name})
    return redirect("staff:customer_detail", pk=customer.pk)


# A printed history holds at most this many kartes, the newest: about 25 A4 pages with photos.
PRINT_KARTES = 50


@karte_staff_required
def customer_history_print(request, pk):
    customer = get_customer_for_staff(request, pk)
    kartes = list(karte_history(customer=customer)[: PRINT_KARTES + 1])
    context = {
        "customer": customer,
        "kartes": kartes[:PRINT_KARTES],
        "more": len(kartes) > PRINT_KARTES,
        "back_url": customer.get_absolute_url(),
    }
    return render(request, "staff/print/history.html", context)


@karte_staff_required
def customer_timeline(request, pk):
    """「アングル別の記録」: for each angle, one photo a visit, oldest to newest (private ones too)."""
    customer = get_customer_for_staff(request, pk)
    context = {
        "customer": customer,
        "timelines": angle_timelines(customer=customer, public_only=False),
        "visits": TIMELINE_VISITS,
    }
    return render(request, "staff/customers/timeline.html", context)


@karte_staff_required
def customer_ghost(request, pk):
    """For the camera: the customer's last photo from the chosen angle, as the staff-only copy's
    address, to lay over the live picture (it is never part of the new photo)."""
    customer = get_customer_for_staff(request, pk)
    angle_id = parse_id(request.GET.get("angle", ""))
    if angle_id is None:
        return JsonResponse({"error": _("Choose an angle.")}, status=400)
    photo = ghost_photo(
        customer=customer, angle_id=angle_id, leaving_out=parse_id(request.GET.get("karte", ""))
    )
    found: dict[str, str | None] = {"url": None}
    if photo is not None:
        found = {
            "url": reverse("staff:image", kwargs={"pk": photo.image_id, "size": "large"}),
            "date": date_format(photo.karte.treatment_date),
        }
    response = JsonResponse(found)
    response["Cache-Control"] = "private, no-store"
    return response


@karte_staff_required
def customer_preview(request, pk):
    customer = get_customer_for_staff(request, pk)
    return render(request, "staff/customers/preview.html", {"customer": customer})


# The phone's own look: app.css and the app's karte markup (kartes/_visible_karte.html), shown inside
# the preview page's phone frame. Only this page may be framed, and only by our own pages.
PREVIEW_POLICY = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors 'self'")


@karte_staff_required
@xframe_options_sameorigin
def customer_preview_phone(request, pk):
    customer = get_customer_for_staff(request, pk)
    kartes = list(visible_kartes(customer=customer)[:PREVIEW_KARTES])
    with_earlier_photos(customer=customer, kartes=kartes, public_only=True)
    context = {"customer": customer, "kartes": kartes, **home_cards(salon=request.salon, customer=customer)}
    response = render(request, "staff/customers/preview_phone.html", context)
    response["Content-Security-Policy"] = PREVIEW_POLICY
    return response
