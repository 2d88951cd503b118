import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from customers.models import Customer
from salons.models import Salon


def signature_path(instance, filename):
    # Random names only, like the photos: nothing about the salon or the customer is in a path.
    token = uuid.uuid4().hex
    return f"signatures/{token[:2]}/{token}.png"


class QuestionKind(models.TextChoices):
    SHORT = "short", _("Short answer")
    LONG = "long", _("Long answer")
    SINGLE = "single", _("One choice")
    MULTIPLE = "multiple", _("Several choices")
    YES_NO = "yes_no", _("Yes or no")
    DATE = "date", _("Date")


CHOICE_KINDS = {QuestionKind.SINGLE, QuestionKind.MULTIPLE}


class Sheet(models.Model):
    """A salon's counselling sheet: the words around its questions and the consent to sign."""

    salon = models.OneToOneField(Salon, on_delete=models.CASCADE, related_name="+")
    intro = models.TextField(_("words at the top"), blank=True, max_length=1000)
    consent_text = models.TextField(
        _("consent"),
        blank=True,
        max_length=4000,
        help_text=_("When filled in, the customer reads it and signs with a finger before sending."),
    )
    shows_answers_to_customer = models.BooleanField(
        _("show customers their own answers in the app"),
        default=False,
        help_text=_("A linked customer then sees what they sent last time and can start from it."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(salon="salon")

    def __str__(self):
        return f"{self.salon}"


class Question(models.Model):
    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("kind of answer"), max_length=16, choices=QuestionKind.choices)
    label = models.CharField(_("question"), max_length=200)
    help_text = models.CharField(_("hint"), max_length=200, blank=True)
    # The options of a choice question, in order.
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)

    objects = ScopedManager(salon="salon")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.label


class SheetLink(models.Model):
    """A way in to the sheet for someone without the app: the counter's QR code (short-lived, for
    anyone at the counter) or a link sent to one person (single-use). Only the token's hash is kept."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64)
    single_use = models.BooleanField(default=True)
    note = models.CharField(_("for"), max_length=60, blank=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(salon="salon")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["salon", "token_hash"], name="sheet_link_once")]

    def __str__(self):
        return f"{self.salon} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.expires_at > timezone.now() and not (self.single_use and self.used_at)


class SheetVersion(models.Model):
    """One wording of a salon's sheet as customers saw it: the consent and the questions, numbered
    in order of first use (同意文 v3), with the SHA-256 of exactly that (counselling.consent)."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    form = models.JSONField()  # {"consent_text": "…", "questions": [{"label", "kind", …}, …]}
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(salon="salon")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["salon", "sha256"], name="sheet_version_once"),
            models.UniqueConstraint(fields=["salon", "number"], name="sheet_version_number"),
        ]

    def __str__(self):
        return f"v{self.number}"


class ResponseSource(models.TextChoices):
    COUNTER = "counter", _("QR code at the counter")
    LINK = "link", _("Link sent by the salon")
    APP = "app", _("Customer app")


class ResponseStatus(models.TextChoices):
    RECEIVED = "received", _("Not yet filed")
    FILED = "filed", _("Filed")
    DISCARDED = "discarded", _("Discarded")


class SheetResponse(models.Model):
    """One filled-in sheet: the answers as they were asked that day (question wording included), who
    the sender says they are, and the signed consent. Staff-only."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="sheet_responses"
    )
    link = models.ForeignKey(SheetLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=16, choices=ResponseSource.choices)
    status = models.CharField(max_length=16, choices=ResponseStatus.choices, default=ResponseStatus.RECEIVED)
    name = models.CharField(_("name"), max_length=100)
    kana = models.CharField(_("furigana"), max_length=100, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    # [{"question": id, "label": "…", "kind": "single", "value": …}] in the order asked.
    answers = models.JSONField(default=list)
    consent_text = models.TextField(blank=True)
    signature = models.FileField(upload_to=signature_path, max_length=200, blank=True)
    signature_sha256 = models.CharField(max_length=64, blank=True)
    signature_size = models.BigIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    # Sent with the form, so that a double tap or a resend after a lost reply keeps one sheet.
    client_key = models.UUIDField(null=True, blank=True, editable=False)
    # The record that stands behind the signature (counselling.consent): the sheet's wording as
    # shown, the linked phone it came from, and a SHA-256 over everything sent.
    # Versions go only with their salon; one lost otherwise leaves the sheet failing its check.
    form_version = models.ForeignKey(
        SheetVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    device_label = models.CharField(max_length=120, blank=True)
    record_sha256 = models.CharField(max_length=64, blank=True)
    filed_at = models.DateTimeField(null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager(salon="salon")

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["salon", "status", "-submitted_at"], name="sheet_inbox"),
            models.Index(fields=["customer", "-submitted_at"], name="sheet_customer"),
            models.Index(fields=["salon", "submitted_at"], name="sheet_month"),
        ]
        constraints = [models.UniqueConstraint(fields=["salon", "client_key"], name="sheet_send_once")]

    def __str__(self):
        return f"{self.name} {self.submitted_at:%Y-%m-%d}"

    @property
    def is_signed(self) -> bool:
        return bool(self.signature)
