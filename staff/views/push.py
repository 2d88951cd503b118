from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from push.selectors import phones_taking_push
from push.services import push_configured, push_preferences, push_preferences_update
from salons.access import owner_required

from ..forms.push import PushKindsForm


@owner_required
def push_settings(request):
    """「サロン管理」 → プッシュ通知: the kinds of notices the owner lets be pushed."""
    chosen = push_preferences(salon=request.salon)
    form = PushKindsForm(request.POST or None, initial={"kinds": [kind for kind, on in chosen.items() if on]})
    if request.method == "POST" and form.is_valid():
        push_preferences_update(
            salon=request.salon, actor=request.user, allowed=set(form.cleaned_data["kinds"])
        )
        messages.success(request, _("The push notification settings were saved."))
        return redirect("staff:push_settings")
    context = {"form": form, "push_available": push_configured(), "phones": phones_taking_push()}
    return render(request, "staff/salon/push.html", context)
