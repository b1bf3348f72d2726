"""What the views share about HTTP: the request of a view behind `login_required`. (A download:
organisations.downloads.attachment.)"""

from django.http import HttpRequest

from staff.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """For type checking only: Django passes a plain HttpRequest; `login_required` guarantees the user."""

    user: User
