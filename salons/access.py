from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def staff_required(view):
    """Login required, and the login must belong to an active staff member of a salon."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.staff is None:
            raise PermissionDenied(_("This login is not attached to a salon."))
        return view(request, *args, **kwargs)

    return wrapper


def karte_staff_required(view):
    """Like staff_required, for kartes and their photos: owners and stylists, not reception."""

    @staff_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.staff.works_on_kartes:
            raise PermissionDenied(_("Reception does not open kartes or their photos."))
        return view(request, *args, **kwargs)

    return wrapper


def owner_required(view):
    """Like staff_required, for pages only the salon's owner may use."""

    @staff_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.staff.is_owner:
            raise PermissionDenied(_("Only the salon owner can do this."))
        return view(request, *args, **kwargs)

    return wrapper
