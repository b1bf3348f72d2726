from django.http import HttpRequest

from staff.scope import Scope, scope_for


def navigation(request: HttpRequest) -> dict[str, Scope]:
    """Role flags for the navigation bar (one membership query per request)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"user_scope": scope_for(user)}
