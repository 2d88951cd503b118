"""What the activity log records of staff accounts."""

from django.utils.translation import gettext_lazy as _

from audit.actions import Action

INVITE = Action("account.invite", _("Invitation sent"))
INVITE_ACCEPT = Action("account.invite_accept", _("Invitation accepted"))
PASSWORD_CHANGE = Action("account.password_change", _("Password changed"))
PASSWORD_SET_BY_OWNER = Action("account.password_set_by_owner", _("Password set by the owner"))
PASSWORD_RESET = Action("account.password_reset", _("Password reset by email"))
RESET_REQUEST = Action("account.reset_request", _("Password reset asked for"))
EMAIL_CHANGE = Action("account.email_change", _("Email address changed"))
EMAIL_UNDO = Action("account.email_undo", _("Email address change undone"))
SESSIONS_END = Action("account.sessions_end", _("Signed-in devices logged out"))
LOGIN_NEW_DEVICE = Action("account.login_new_device", _("Login from a new device"))
LINK_REFUSED = Action("account.link_refused", _("Used or expired link opened"))
FACTOR_ADD = Action("account.factor_add", _("Second factor set up"))
FACTOR_REMOVE = Action("account.factor_remove", _("Second factor removed"))
RECOVERY_CODES_NEW = Action("account.recovery_codes_new", _("New recovery codes made"))
RECOVERY_CODE_USE = Action("account.recovery_code_use", _("Recovery code used"))
FACTOR_REFUSED = Action("account.factor_refused", _("Wrong second-factor code"))
FACTOR_HELD = Action("account.factor_held", _("Second-factor codes held back after too many tries"))
PASSKEY_ADD = Action("account.passkey_add", _("Passkey added"))
PASSKEY_REMOVE = Action("account.passkey_remove", _("Passkey removed"))
PASSKEY_LOGIN = Action("account.passkey_login", _("Login with a passkey"))
