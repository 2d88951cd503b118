"""The customer's kartes: the home page with the cards above the list, one karte, its photos,
and what the phone may keep offline."""

from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from appointments.selectors import upcoming_for_customer
from appointments.services import app_cancel_until
from common.serving import stored_file_response
from kartes.models import DISPLAY_SIZES
from kartes.portfolio import portfolio_answer
from kartes.selectors import (
    angle_timelines,
    get_visible_image,
    get_visible_karte,
    home_cards,
    portfolio_questions,
    visible_kartes,
    visible_photo_items,
    with_earlier_photos,
)
from notices.selectors import visible_notices

from ..access import app_view
from ..paging import page_of


@app_view(device_required=False)
def home(request):
    if request.device is None:
        context = {"relink": request.had_credential or "unlinked" in request.GET}
        return render(request, "customer_app/onboarding.html", context)
    customer = request.device.customer
    page = page_of(visible_kartes(customer=customer), request)
    upcoming = upcoming_for_customer(customer=customer, now=timezone.now(), limit=1)
    next_appointment = upcoming[0] if upcoming else None
    context = {
        "page": page,
        "customer": customer,
        "next_appointment": next_appointment,
        "cancel_until": app_cancel_until(next_appointment, request.salon) if next_appointment else None,
        "cancel": request.GET.get("cancel", ""),
        "now": timezone.now(),
        # The first page starts with the newest karte, which the next-visit card reads.
        **home_cards(
            salon=request.salon, customer=customer, newest=page["rows"][:1] if page["first"] else None
        ),
    }
    return render(request, "customer_app/home.html", context)


@app_view()
def karte_detail(request, pk):
    karte = get_visible_karte(customer=request.device.customer, pk=pk)
    with_earlier_photos(customer=request.device.customer, kartes=[karte], public_only=True)
    context = {"karte": karte, "portfolio_asked": portfolio_questions(karte=karte)}
    return render(request, "customer_app/karte.html", context)


@app_view()
def timeline(request):
    """「ヘアスタイルの記録」: the customer's public photos by angle, one a visit, oldest to newest."""
    timelines = angle_timelines(customer=request.device.customer, public_only=True)
    return render(request, "customer_app/timeline.html", {"timelines": timelines})


@app_view()
def image(request, pk, size):
    if size not in DISPLAY_SIZES:
        raise Http404
    item = get_visible_image(customer=request.device.customer, image_id=pk)
    asset = item.image
    assert asset is not None  # get_visible_image finds items by their image
    size = asset.copy_name(size)
    return stored_file_response(
        getattr(asset, size),
        content_type="image/webp",
        request=request,
        sha256=getattr(asset, f"{size}_sha256"),
        modified=asset.created_at,
    )


@app_view()
def visible(request):
    """Every page and photo this phone may keep now; the service worker drops the rest.

    Built from the same selectors as the pages, so an unpublished photo, a deleted karte or an
    ended notice leaves the phone the first time it is online.
    """
    customer = request.device.customer

    def url(name, **kwargs):
        return reverse(f"customer_app:{name}", kwargs={"slug": request.salon.slug, **kwargs})

    urls = [url("home"), url("notices"), url("settings"), url("salon"), url("timeline")]
    for karte in visible_kartes(customer=customer):
        urls.append(url("karte", pk=karte.pk))
        for item in karte.public_items:  # type: ignore[attr-defined]
            if item.image_id:
                urls += [url("image", pk=item.image_id, size=size) for size in DISPLAY_SIZES]
    urls += [url("notice", pk=notice.pk) for notice in visible_notices(customer=customer)]
    return JsonResponse({"urls": urls})


@app_view()
@require_POST
def photo_portfolio(request, pk):
    """The customer's answer about one of their photos being shown as the salon's work: 許可,
    許可しない, or a consent withdrawn — for a photo they can see that the salon asked about."""
    item = (
        visible_photo_items(customer=request.device.customer)
        .filter(pk=pk)
        .exclude(portfolio_asked_at__isnull=True, portfolio="")
        .first()
    )
    if item is None:
        raise Http404
    item = portfolio_answer(item=item, allowed=request.POST.get("answer") == "yes")
    return redirect(
        reverse("customer_app:karte", kwargs={"slug": request.salon.slug, "pk": item.karte_id}) + "#portfolio"
    )
