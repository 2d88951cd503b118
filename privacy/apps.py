from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        # Each app's customer_data.py declares its part of a customer's export and erase.
        autodiscover_modules("customer_data")
