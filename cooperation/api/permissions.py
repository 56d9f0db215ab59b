from rest_framework.permissions import SAFE_METHODS, BasePermission

from cooperation.models.base import is_curator


class StaffWriteOrReadOnly(BasePermission):
    """Anyone may read (what they see is narrowed by ``visible_to``); only staff write."""

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return is_curator(request.user)
