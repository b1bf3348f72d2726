"""The site's URLs plus two views that fail on purpose, for tests/test_error_pages.py."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from attachment_site import urls as site_urls


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def broken(request: HttpRequest) -> HttpResponse:
    request.user.is_authenticated  # noqa: B018 - load the session and user first, like any page
    raise RuntimeError("broken on purpose")


urlpatterns = [
    path("test/verboden/", forbidden),
    path("test/kapot/", broken),
    *site_urls.urlpatterns,
]
handler500 = site_urls.handler500
