from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class StaffBackend(ModelBackend):
    """Django's login, with the user's staff membership and salon read in the same query.

    Every staff request needs all three (SalonScopeMiddleware); one query instead of two.
    """

    def get_user(self, user_id):
        user = (
            get_user_model()._default_manager.select_related("staff_member__salon").filter(pk=user_id).first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
