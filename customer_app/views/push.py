"""Push notifications on the phone: the customer turns them on (the browser's subscription is kept
on this linked phone) or off, from the app's settings."""

import json

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from push.services import EndpointRefused, push_configured, push_subscription_delete, push_subscription_save

from ..access import app_view


@require_POST
@app_view()
def push_subscribe(request):
    """The subscription the browser made (PushSubscription.toJSON()), kept for this phone."""
    if not push_configured():
        return JsonResponse({"error": _("Push notifications are not available for this app.")}, status=409)
    try:
        sent = json.loads(request.body)
        endpoint, keys = str(sent["endpoint"]), sent["keys"]
        push_subscription_save(
            device=request.device,
            endpoint=endpoint,
            p256dh=str(keys["p256dh"])[:100],
            auth=str(keys["auth"])[:40],
        )
    except (ValueError, KeyError, TypeError, EndpointRefused):
        return JsonResponse({"error": _("This phone's browser cannot take push notifications.")}, status=400)
    return JsonResponse({"push": True})


@require_POST
@app_view()
def push_unsubscribe(request):
    push_subscription_delete(device=request.device)
    return HttpResponse(status=204)
