"""Issue 18: every view behind the login takes the authenticated request type (pages.http.
AuthenticatedHttpRequest, whose `user` is a staff User), so mypy checks what the view does with the
user. Which views are behind the login is read from their behaviour, not from a list: an anonymous
request to each function view of the URL configuration (GET, then POST) that is sent to the login
page marks a view behind the login."""

import inspect
import typing

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from pages.http import AuthenticatedHttpRequest

DUMMY = {"int": 1, "str": "x", "slug": "x", "uuid": "00000000-0000-0000-0000-000000000000", "path": "x"}


def function_views(patterns=None, prefix=""):
    """(route name, view callback, URL keyword arguments with dummy values) of every function view."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin" or str(entry.pattern).startswith("i18n"):
                continue  # Django's own admin and language views
            yield from function_views(entry.url_patterns, prefix)
        elif isinstance(entry, URLPattern) and not hasattr(entry.callback, "view_class"):
            converters = getattr(entry.pattern, "converters", {})
            kwargs = {
                name: DUMMY.get(type(c).__name__.removesuffix("Converter").lower(), 1) for name, c in converters.items()
            }
            yield entry.name or str(entry.pattern), entry.callback, kwargs


def innermost(view):
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    return view


def sends_anonymous_to_login(view, kwargs) -> bool:
    login = reverse("login")
    factory = RequestFactory()
    for method in ("get", "post"):
        request = getattr(factory, method)("/")
        request.user = AnonymousUser()
        request.session = {}
        try:
            response = view(request, **kwargs)
        except Exception:  # a public view that needs more than a bare request (a tablet cookie, a session)
            return False
        if response.status_code == 405:
            continue
        return response.status_code == 302 and response["Location"].startswith(login)
    return False


VIEWS = list(function_views())


def test_the_url_configuration_has_views_behind_the_login():
    behind = [name for name, view, kwargs in VIEWS if sends_anonymous_to_login(view, kwargs)]
    assert len(behind) >= 20, behind


@pytest.mark.parametrize(("name", "view", "kwargs"), VIEWS, ids=[name for name, _, _ in VIEWS])
def test_a_view_behind_the_login_takes_the_authenticated_request(name, view, kwargs):
    if not sends_anonymous_to_login(view, kwargs):
        pytest.skip("open to anonymous visitors (or answers them itself)")
    function = innermost(view)
    hints = typing.get_type_hints(function)
    first = next(iter(inspect.signature(function).parameters))
    assert hints.get(first) is AuthenticatedHttpRequest, (
        f"{function.__module__}.{function.__qualname__} takes {hints.get(first)!r}, not AuthenticatedHttpRequest"
    )
    assert issubclass(AuthenticatedHttpRequest, HttpRequest)
