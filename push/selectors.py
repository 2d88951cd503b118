from typing import Any

from .models import PushSubscription


def push_is_on(*, device: Any) -> bool:
    """Whether this phone takes push for its salon's app now."""
    return device is not None and PushSubscription.objects.filter(device=device).exists()
