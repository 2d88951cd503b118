from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Staff accounts")

    def ready(self) -> None:
        from django.contrib.auth import signals

        from salons import hooks as salon_hooks

        from . import services

        signals.user_logged_in.connect(services.session_record_login, dispatch_uid="accounts.login")
        signals.user_logged_out.connect(services.session_record_logout, dispatch_uid="accounts.logout")
        # A staff member who leaves is logged out everywhere, at once.
        salon_hooks.staff_left.subscribe(services.staff_sessions_end_on_leaving)
