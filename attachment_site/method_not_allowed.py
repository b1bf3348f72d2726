"""The Dutch 405 page.

Django answers a method a view does not take (`require_http_methods`, `require_POST`, `require_safe`,
a class-based view's `http_method_not_allowed`, such as LogoutView to a GET) with an
HttpResponseNotAllowed whose body is empty: a blank page in the browser. Unlike 400, 403 and 404, a
405 has no handler to set in the URLconf, so this middleware fills the empty body with templates/405.html
(the app's look, like 404.html), and leaves the status and the Allow header as the view set them.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string


class MethodNotAllowedPageMiddleware:
    """Sits after AuthenticationMiddleware and the CSP middleware: the page has the signed-in user's
    navigation and the request's nonce, like every other page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed) and not response.content:
            response.content = render_to_string("405.html", request=request)
        return response
