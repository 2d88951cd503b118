from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from salons.models import Salon


class MenuCategory(models.Model):
    """A heading of the salon's menu (カット, カラー…), in the order the owner sets."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("category"), max_length=40)
    position = models.PositiveIntegerField(default=0)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(salon="salon")

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("menu category")
        verbose_name_plural = _("menu categories")

    def __str__(self):
        return self.name


class MenuItem(models.Model):
    """One thing on the salon's menu with its price in yen, tax included.

    A karte keeps the name and price as they were on the day (kartes.models.Karte.menu_lines), so
    renaming, repricing or archiving an item never changes a past visit.
    """

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(
        MenuCategory, on_delete=models.RESTRICT, related_name="items", verbose_name=_("category")
    )
    name = models.CharField(_("menu name"), max_length=60)
    price = models.PositiveIntegerField(_("price (yen, tax included)"), null=True, blank=True)
    # How long the menu takes: an appointment's end is its start plus its menus' minutes.
    minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(salon="salon")

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("menu item")
        verbose_name_plural = _("menu items")

    def __str__(self):
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None
