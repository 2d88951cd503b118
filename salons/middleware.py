import zoneinfo

from django.utils import timezone
from django_scopes import scope, scopes_disabled

from .models import StaffMember


def _staff_member(user) -> StaffMember | None:
    """The user's active membership: read with the user by StaffBackend, else looked up."""
    try:
        member = user.staff_member  # already loaded by StaffBackend's select_related
    except StaffMember.DoesNotExist:
        return None
    return member if member.is_active else None


class SalonScopeMiddleware:
    """Puts every staff request inside its salon's scope.

    Salon-owned models refuse to query outside a scope, so a view that forgets the
    salon fails loudly instead of showing another salon's data. The platform admin
    works across salons and runs with scopes disabled; it is only for platform staff.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.salon = None
        request.staff = None
        if request.path.startswith("/admin/"):
            with scopes_disabled():
                return self.get_response(request)
        if request.user.is_authenticated:
            member = _staff_member(request.user)
            if member is not None:
                request.staff = member
                request.salon = member.salon
                timezone.activate(zoneinfo.ZoneInfo(member.salon.timezone))
                try:
                    with scope(salon=member.salon):
                        return self.get_response(request)
                finally:
                    timezone.deactivate()
        return self.get_response(request)
