from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class KnownDevice(models.Model):
    """A browser a staff login has signed in from before; a login from any other is announced by mail.

    The browser holds a random token in a long-lived cookie; only its SHA-256 is stored here.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="known_devices")
    token_sha256 = models.CharField(max_length=64)
    user_agent = models.CharField(max_length=300, blank=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "token_sha256"], name="known_device_once")]

    def __str__(self):
        return f"{self.user_id}: {self.user_agent[:40]}"


class StaffSession(models.Model):
    """One signed-in browser of a staff login: a line of 「ログイン中の端末」, which can end it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    user_agent = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()
    # When the session runs out if nothing renews it (each use renews it, as the session's own).
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("signed-in device")
        verbose_name_plural = _("signed-in devices")
        indexes = [models.Index(fields=["user", "-last_seen_at"], name="staff_session_user_seen")]

    def __str__(self):
        return f"{self.user_id}: {self.user_agent[:40]}"


class TotpFactor(models.Model):
    """An authenticator app's shared secret (RFC 6238: a 6-digit code every 30 seconds)."""

    # One in use (confirmed) and at most one being set up, per login.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_factors")
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The 30-second step of the last code taken: a code of that step or an earlier one is refused,
    # so a code seen over a shoulder cannot be used again.
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"TOTP of {self.user_id}"


class RecoveryCode(models.Model):
    """A single-use code printed once, for the day the phone with the authenticator is lost."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_sha256 = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"recovery code of {self.user_id}"


class Passkey(models.Model):
    """A passkey (WebAuthn credential) of a staff login: Face ID or Touch ID on the iPad, a phone, a
    security key. It is a whole login by itself: something held, unlocked by the person."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="passkeys")
    credential_id = models.CharField(max_length=1400, unique=True)  # base64url, as the browser sends it
    public_key = models.BinaryField()
    sign_count = models.BigIntegerField(default=0)
    name = models.CharField(max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.name
