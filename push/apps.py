from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


class PushConfig(AppConfig):
    name = "push"
    verbose_name = _("Push notifications")

    def ready(self) -> None:
        from linking import hooks as linking_hooks
        from notices import hooks as notice_hooks

        from .keys import vapid_pair_check
        from .services import push_subscription_delete
        from .tasks import notices_posted

        # An unlinked phone takes no more pushes, from that moment.
        linking_hooks.device_unlinked.subscribe(push_subscription_delete)
        notice_hooks.notices_posted.subscribe(notices_posted)

        # Keys that cannot sign would only fail later, in the worker, one phone at a time.
        if settings.VAPID_PUBLIC_KEY or settings.VAPID_PRIVATE_KEY:
            try:
                vapid_pair_check(settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY)
            except ValueError as error:
                raise ImproperlyConfigured(f"VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY: {error}") from None
