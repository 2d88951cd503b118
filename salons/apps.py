from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalonsConfig(AppConfig):
    name = "salons"
    verbose_name = _("Salons")

    def ready(self) -> None:
        from . import files  # noqa: F401  (declares the stored files)
