from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomerAppConfig(AppConfig):
    name = "customer_app"
    verbose_name = _("Customer app")
