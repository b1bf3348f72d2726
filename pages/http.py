"""The request of a view behind `login_required`: its user is signed in, never anonymous."""

from django.http import HttpRequest

from staff.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """For type checking only: Django passes a plain HttpRequest; `login_required` guarantees the user."""

    user: User
