import datetime
import json
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from common.fields import SalonOneToOneField
from customers.models import Customer
from salons.models import Salon, StaffMember


def _private_path(prefix: str) -> str:
    # Random names only: nothing about the salon, customer or upload is guessable from a path.
    token = uuid.uuid4().hex
    return f"{prefix}/{token[:2]}/{token}"


def original_path(instance: "ImageAsset", filename: str) -> str:
    return _private_path("originals")


def display_path(instance: "ImageAsset", filename: str) -> str:
    return _private_path("display") + ".webp"


ORIGINAL_EXTENSIONS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp", "HEIF": "heic"}


class ImageKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    ILLUSTRATION = "illustration", _("Illustration")


# The display copies, by longest edge in pixels: each page picks the one its slot needs (srcset).
DISPLAY_SIZES = {"thumb": 192, "small": 320, "medium": 800, "large": 1600}
# Photos stored before a size existed are shown with the next size up.
FALLBACK = {"thumb": "small", "medium": "large"}


class ImageStatus(models.TextChoices):
    PROCESSING = "processing", _("Processing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class ImageFailure(models.TextChoices):
    NONE = "", ""
    DAMAGED = "damaged", _("The image is damaged or incomplete. Please take or choose it again.")
    UNREADABLE = (
        "unreadable",
        _("This file is not an image we can read. Use a JPEG, PNG, WebP or HEIC photo."),
    )
    ERROR = "error", _("The display copies could not be made. Please try again.")


class ImageAsset(models.Model):
    """An uploaded image: the private original and the cleaned display copies made from it.

    The original is stored by the upload request; the display copies are made by a background
    task (status processing → ready, or failed with the reason). The names of the copies are
    chosen with the row, so a task that runs again after a crash writes the same files.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=ImageKind.choices, default=ImageKind.PHOTO)
    upload_key = models.UUIDField(help_text="Chosen by the client so that a retried upload is recognised.")
    original = models.FileField(upload_to=original_path, max_length=200)
    original_format = models.CharField(max_length=16)
    large = models.FileField(upload_to=display_path, max_length=200)
    small = models.FileField(upload_to=display_path, max_length=200)
    medium = models.FileField(upload_to=display_path, max_length=200, blank=True)
    thumb = models.FileField(upload_to=display_path, max_length=200, blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    # What each stored file must read back as (manage.py verify_media, backup and restore).
    original_sha256 = models.CharField(max_length=64, blank=True, default="")
    original_size = models.BigIntegerField(null=True, blank=True)
    large_sha256 = models.CharField(max_length=64, blank=True, default="")
    large_size = models.BigIntegerField(null=True, blank=True)
    small_sha256 = models.CharField(max_length=64, blank=True, default="")
    small_size = models.BigIntegerField(null=True, blank=True)
    medium_sha256 = models.CharField(max_length=64, blank=True, default="")
    medium_size = models.BigIntegerField(null=True, blank=True)
    thumb_sha256 = models.CharField(max_length=64, blank=True, default="")
    thumb_size = models.BigIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=ImageStatus.choices, default=ImageStatus.READY)
    failure = models.CharField(max_length=16, choices=ImageFailure.choices, blank=True, default="")
    # When the copies were last asked of the task queue, and how often: a task lost with a crashed
    # worker is asked for again (kartes.tasks.images_requeue_stalled).
    queued_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(salon="salon")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["salon", "upload_key"], name="image_upload_once")]
        indexes = [
            models.Index(
                fields=["queued_at"],
                name="image_processing",
                condition=models.Q(status="processing"),
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.id}"

    @property
    def is_ready(self) -> bool:
        return self.status == ImageStatus.READY

    @property
    def original_extension(self) -> str:
        """The file extension of the photo as it was uploaded, for the copies handed out in exports."""
        return ORIGINAL_EXTENSIONS.get(self.original_format, "bin")

    def copy_name(self, size: str) -> str:
        """The display copy to send for `size`: that one, or the next size up for an older photo."""
        return size if getattr(self, size).name else FALLBACK.get(size, size)

    def stored_names(self) -> list[str]:
        """Every file of this image that is (or will be) in storage."""
        files = (self.original, *(getattr(self, size) for size in DISPLAY_SIZES))
        return [f.name for f in files if f.name]


class Karte(models.Model):
    """One visit: when, who was in charge, what was done, and the items recorded."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="kartes", verbose_name=_("customer")
    )
    treatment_date = models.DateField(_("treatment date"))
    staff = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, related_name="kartes", verbose_name=_("staff in charge")
    )
    # What was done, as one line of text (searchable, shown in lists) …
    menu = models.CharField(_("menu"), max_length=200, blank=True)
    # … and line by line with the catalogue item and its name and price on the day:
    # [{"item": 12, "name": "カット", "price": 5500}, {"item": null, "name": "前髪カット", "price": null}].
    menu_lines = models.JSONField(default=list, blank=True)
    # 指名: the customer asked for this staff member.
    nominated = models.BooleanField(_("requested (指名)"), default=False)
    # 次回来店の目安: in weeks after this visit; shown to the customer with the booking link.
    next_visit_weeks = models.PositiveSmallIntegerField(_("next visit in about"), null=True, blank=True)
    # Raised by every save; a save that brings an older number is refused (two staff editing at once).
    version = models.PositiveIntegerField(default=1)
    # Sent by the karte form so that a double-submitted or retried save creates one karte, not two.
    client_key = models.UUIDField(null=True, blank=True, editable=False)
    # The key of the editor save that made the current version: a resend of that same save after
    # a lost reply is recognised as done, not refused as someone else's.
    last_save_key = models.UUIDField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(salon="salon")

    class Meta:
        verbose_name = _("karte")
        verbose_name_plural = _("kartes")
        ordering = ["-treatment_date", "-id"]
        indexes = [
            models.Index(fields=["salon", "customer", "-treatment_date", "-id"], name="karte_history"),
            # The kartes written since the last roll-up (analytics): the day's, not the salon's.
            models.Index(fields=["salon", "updated_at"], name="karte_changed"),
        ]
        constraints = [models.UniqueConstraint(fields=["salon", "client_key"], name="karte_create_once")]

    def __str__(self):
        return f"{self.customer} {self.treatment_date}"

    @property
    def next_visit_on(self) -> datetime.date | None:
        if self.next_visit_weeks is None:
            return None
        return self.treatment_date + datetime.timedelta(weeks=self.next_visit_weeks)

    @property
    def menu_total(self) -> int | None:
        """The sum of the priced lines, or None when no line has a price."""
        prices = [line["price"] for line in self.menu_lines if line.get("price") is not None]
        return sum(prices) if prices else None


class ItemKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    ILLUSTRATION = "illustration", _("Illustration")
    TEXT = "text", _("Text")
    RECIPE = "recipe", _("Colour recipe")


# Kinds that only staff ever see: they have no 公開 switch, and the database refuses them public.
STAFF_ONLY_KINDS = frozenset({ItemKind.RECIPE})

# The columns of a colour recipe row, in the order the editor shows them.
RECIPE_COLUMNS = {
    "brand": _("Brand"),
    "shade": _("Shade / level"),
    "developer": _("Developer %"),
    "ratio": _("Mix ratio"),
    "amount": _("Amount (g)"),
    "time": _("Time (min)"),
    "area": _("Area"),
}


class PhotoTag(models.TextChoices):
    NONE = "", _("—")
    BEFORE = "before", _("Before")
    AFTER = "after", _("After")


class PhotoAngle(models.Model):
    """An angle photos are taken from (正面, 右サイド, バック, 手元 …): the salon's own list, in its order."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("angle"), max_length=40)
    position = models.PositiveIntegerField(default=0)

    objects = ScopedManager(salon="salon")

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["salon", "name"], name="angle_name_once")]

    def __str__(self):
        return self.name


class PortfolioConsent(models.TextChoices):
    NOT_ASKED = "", _("Not asked")
    ASKED = "asked", _("Asked in the app")
    YES = "yes", _("May be shown as the salon's work")
    NO = "no", _("Not to be shown")


class KarteItem(models.Model):
    """A photo, illustration or text of a karte. Private until staff tick 公開."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    karte = models.ForeignKey(Karte, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices)
    position = models.PositiveIntegerField(default=0)
    is_public = models.BooleanField(_("public"), default=False)
    text = models.TextField(_("text"), blank=True)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    photo_tag = models.CharField(
        _("before/after"), max_length=8, choices=PhotoTag.choices, blank=True, default=""
    )
    angle = models.ForeignKey(
        PhotoAngle,
        verbose_name=_("angle"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    image = SalonOneToOneField(
        ImageAsset, null=True, blank=True, on_delete=models.PROTECT, related_name="item"
    )
    # The strokes of an illustration, kept so that it can be edited again stroke by stroke.
    drawing = models.JSONField(null=True, blank=True)
    # A colour recipe's rows ({column: text} with the RECIPE_COLUMNS keys); its note is `text`.
    recipe = models.JSONField(null=True, blank=True)
    template = models.CharField(_("outline"), max_length=32, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # 「サロンの作品として掲載可」 (portfolio, SNS), apart from 公開 to the customer (kartes.portfolio):
    # asked in the app or recorded by staff, with who and when; the customer may withdraw it.
    portfolio = models.CharField(max_length=8, choices=PortfolioConsent.choices, blank=True, default="")
    portfolio_asked_at = models.DateTimeField(null=True, blank=True)
    portfolio_at = models.DateTimeField(null=True, blank=True)
    portfolio_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # staff who recorded it; empty when the customer answered in the app
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(salon="salon")

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["karte", "is_public", "position"], name="item_public_order")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind__in=sorted(STAFF_ONLY_KINDS), is_public=True),
                name="item_staff_only_kinds_private",
            ),
            models.UniqueConstraint(fields=["salon", "image"], name="item_image_once"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def recipe_json(self) -> str:
        return json.dumps(self.recipe or [], ensure_ascii=False)

    @property
    def is_staff_only(self) -> bool:
        return self.kind in STAFF_ONLY_KINDS

    def set_public(self, public: bool, *, by) -> None:
        public = public and not self.is_staff_only
        self.is_public = public
        if public:
            self.published_at = timezone.now()
            self.published_by = by
