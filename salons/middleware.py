import zoneinfo

from django.utils import timezone
from django_scopes import scope, scopes_disabled

from .models import StaffMember


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
            member = (
                StaffMember.objects.with_scopes_disabled()
                .select_related("salon")
                .filter(user=request.user, is_active=True)
                .first()
            )
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
