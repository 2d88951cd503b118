from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class StaffBackend(ModelBackend):
    """Django's login, with the user's staff membership and salon read in the same query.

    Every staff request needs all three (SalonScopeMiddleware); one query instead of two.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        """By login name, or by the email address only one login uses."""
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None or not username or "@" not in username or password is None:
            return user
        matches = list(get_user_model()._default_manager.filter(email__iexact=username.strip())[:2])
        if (
            len(matches) == 1
            and matches[0].check_password(password)
            and self.user_can_authenticate(matches[0])
        ):
            return matches[0]
        return None

    def get_user(self, user_id):
        user = (
            get_user_model()._default_manager.select_related("staff_member__salon").filter(pk=user_id).first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
