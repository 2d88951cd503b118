from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KartesConfig(AppConfig):
    name = "kartes"
    verbose_name = _("Kartes")

    def ready(self):
        from django.db.models.signals import post_save
        from pillow_heif import register_heif_opener

        from salons.models import Salon

        from . import files  # noqa: F401  (declares the stored files)
        from .angles import angles_for_new_salon

        post_save.connect(angles_for_new_salon, sender=Salon, dispatch_uid="kartes.angles")

        register_heif_opener()
