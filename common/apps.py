import os

from django.apps import AppConfig
from django.conf import settings


class CommonConfig(AppConfig):
    name = "common"

    def ready(self) -> None:
        from django.core.signals import got_request_exception

        from .outage import mark_outage

        got_request_exception.connect(mark_outage, dispatch_uid="karte-outage")
        # Django refuses uploads into a spool folder that does not exist.
        os.makedirs(settings.FILE_UPLOAD_TEMP_DIR, mode=0o700, exist_ok=True)
