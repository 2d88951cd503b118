import os

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate


def _salon_keys(sender: AppConfig, using: str = "default", **kwargs: object) -> None:
    from .salon_keys import ensure_salon_keys

    ensure_salon_keys(using)


class CommonConfig(AppConfig):
    name = "common"

    def ready(self) -> None:
        from django.core.signals import got_request_exception

        from .outage import mark_outage

        got_request_exception.connect(mark_outage, dispatch_uid="karte-outage")
        # After every migrate (of all apps: this app's signal comes once they are all done).
        post_migrate.connect(_salon_keys, sender=self, dispatch_uid="karte-salon-keys")
        if settings.PAGE_KEEP:
            from .pagekeep import install

            install()
        # Django refuses uploads into a spool folder that does not exist.
        os.makedirs(settings.FILE_UPLOAD_TEMP_DIR, mode=0o700, exist_ok=True)
