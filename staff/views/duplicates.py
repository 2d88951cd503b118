"""「重複の可能性」: pairs of customers that look like one person, with why; the owner sets a pair
aside (「別人として扱う」) so it is not offered again."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers.duplicates import open_pairs, pair_dismiss
from salons.access import owner_required, staff_required

PAIRS_PER_PAGE = 50


@staff_required
def duplicate_list(request):
    pairs = open_pairs().select_related("first", "second").order_by("-strong", "-pk")
    page = Paginator(pairs, PAIRS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "staff/customers/duplicates.html", {"page": page})


@owner_required
@require_POST
def duplicate_dismiss(request, pk):
    pair = get_object_or_404(open_pairs().select_related("salon", "first", "second"), pk=pk)
    pair_dismiss(pair=pair, actor=request.user)
    messages.success(
        request,
        _("%(first)s and %(second)s will be treated as different people.")
        % {"first": pair.first.name, "second": pair.second.name},
    )
    back = request.POST.get("next", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("staff:duplicate_list")
