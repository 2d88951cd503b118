from django.core.management.base import BaseCommand
from django.db.models import Q
from django_scopes import scopes_disabled

from kartes.models import ImageAsset, ImageStatus
from kartes.services import image_asset_fill_sizes


class Command(BaseCommand):
    help = (
        "Make the display sizes that photos stored before them lack (the pages send the next size up "
        "meanwhile). Safe to run again and while the app runs."
    )

    def handle(self, *args, **options):
        made = 0
        with scopes_disabled():
            lacking = ImageAsset.objects.filter(Q(thumb="") | Q(medium=""), status=ImageStatus.READY)
            for asset in lacking.order_by("created_at").iterator(chunk_size=200):
                if image_asset_fill_sizes(asset=asset):
                    made += 1
        self.stdout.write(f"Made the missing display sizes of {made} photo(s).")
