from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from salons.models import Salon


class DataRequest(models.Model):
    """A customer asked from the app to see or delete what the salon holds; staff act on it."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="data_requests")
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(salon="salon")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")

    def __str__(self):
        return f"data request {self.pk}"
