from django.http import HttpRequest

from staff.access import UserAccess, user_access


def navigation(request: HttpRequest) -> dict[str, UserAccess]:
    """What the user may do, for the navigation bar (one membership query per request)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"user_access": user_access(user)}
