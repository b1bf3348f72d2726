"""What the views share about HTTP: the request of a view behind `login_required`, and a download."""

from django.http import HttpRequest, HttpResponse

from staff.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """For type checking only: Django passes a plain HttpRequest; `login_required` guarantees the user."""

    user: User


def attachment(filename: str, mimetype: str, data: bytes) -> HttpResponse:
    """A file to download (a PDF, a CSV): saved under `filename`, never kept by a cache."""
    response = HttpResponse(data, content_type=mimetype)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
