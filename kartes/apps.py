from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KartesConfig(AppConfig):
    name = "kartes"
    verbose_name = _("Kartes")

    def ready(self):
        from pillow_heif import register_heif_opener

        from . import files  # noqa: F401  (declares the stored files)

        register_heif_opener()
