from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransferConfig(AppConfig):
    name = "transfer"
    verbose_name = _("Import and export")

    def ready(self) -> None:
        from . import files  # noqa: F401  (declares the stored files)
