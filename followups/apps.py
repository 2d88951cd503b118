from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = _("Automatic follow-ups")

    def ready(self) -> None:
        from kartes import hooks

        from .services import followups_forget_visit, followups_plan_visit

        # A saved visit plans its thank-you and nudge, and calls off those of the visit before.
        hooks.visit_saved.subscribe(followups_plan_visit)
        hooks.visit_deleted.subscribe(followups_forget_visit)
