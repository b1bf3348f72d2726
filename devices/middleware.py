"""Recognise the group tablet a request comes from, and lock its session after idle minutes.

`request.tablet` is the linked Tablet named by this browser's signed cookie (or None);
`request.tablet_session` says the logged-in session was opened on that tablet with a PIN or password.
The page locks itself after TABLET_IDLE_MINUTES (pages/static/pages/tablet.js); as a backstop, a
tablet session idle for longer than that (plus a minute's grace) is logged out here at its next
request, and so is a tablet session that turns up without its tablet's cookie. A POST that saves an
entry (staff.middleware.keeps_post) then reaches its view signed out, and the signed-out session
remembers whose it was (`SIGNED_OUT_USER`), so the view asks for that person's PIN in place and saves
what was sent.

Where a locked tablet lands is the group's screen, which a higher app draws: that app names it by
subclassing the middleware (`home_url`, pages/middleware.py), so devices names no page above it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import resolve_url

from devices import services
from devices.models import Tablet
from staff.middleware import SIGNED_OUT_USER, keeps_post

COOKIE_NAME = "groepstablet"
COOKIE_SALT = "devices.tablet"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie
SESSION_TABLET = "devices_tablet"
SESSION_SEEN = "devices_seen"
IDLE_GRACE_SECONDS = 60


def idle_seconds() -> float:
    return float(settings.TABLET_IDLE_MINUTES) * 60


def tablet_of_request(request: HttpRequest) -> Tablet | None:
    token = request.get_signed_cookie(COOKIE_NAME, default=None, salt=COOKIE_SALT)
    return services.tablet_for_token(token)


def set_tablet_cookie(response: HttpResponseBase, token: str) -> None:
    response.set_signed_cookie(
        COOKIE_NAME,
        token,
        salt=COOKIE_SALT,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


def start_tablet_session(request: HttpRequest, tablet: Tablet) -> None:
    """After login() on a tablet: this session belongs to the tablet and locks when idle."""
    request.session[SESSION_TABLET] = tablet.pk
    request.session[SESSION_SEEN] = time.time()


def lock_url(home_url: str, user_pk: int | None = None, next_path: str = "") -> str:
    """The tablet's screen (`home_url`, a URL or URL name); with the user who was locked out and where
    they were, to take them back."""
    url = resolve_url(home_url)
    query = {"voor": user_pk, "next": next_path} if user_pk and next_path else {}
    return f"{url}?{urlencode(query)}" if query else url


class TabletMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware, before staff's SessionTimeoutMiddleware.
    Used through a subclass that names the group's screen, where a locked session lands (`home_url`)."""

    home_url: str = ""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        if not self.home_url:
            raise ImproperlyConfigured("TabletMiddleware: use a subclass that sets home_url, the group's screen.")
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        tablet = tablet_of_request(request) if COOKIE_NAME in request.COOKIES else None
        request.tablet = tablet  # type: ignore[attr-defined]
        request.tablet_session = False  # type: ignore[attr-defined]
        if request.user.is_authenticated and SESSION_TABLET in request.session:
            locked = self._lock_if_needed(request, tablet)
            if locked is not None:
                return locked
        if request.user.is_authenticated and SESSION_TABLET in request.session:
            request.tablet_session = True  # type: ignore[attr-defined]
            request.tablet_idle_seconds = max(1, round(idle_seconds()))  # type: ignore[attr-defined]
        if tablet is not None:
            services.note_tablet_seen(tablet)
        return self.get_response(request)

    def _lock_if_needed(self, request: HttpRequest, tablet: Tablet | None) -> HttpResponseBase | None:
        """None: the session goes on, or (a kept POST) it was ended and the request goes on signed out."""
        session = request.session
        now = time.time()
        seen = float(session.get(SESSION_SEEN) or 0)
        if (
            tablet is not None
            and tablet.pk == session[SESSION_TABLET]
            and now - seen <= idle_seconds() + IDLE_GRACE_SECONDS
        ):
            # Written often enough that the limit holds to a few seconds, not on every request.
            if now - seen >= min(10.0, idle_seconds() / 4):
                session[SESSION_SEEN] = now
            return None
        user_pk = request.user.pk
        logout(request)
        request.session[SIGNED_OUT_USER] = user_pk
        if keeps_post(request):
            return None
        if tablet is None:
            return HttpResponseRedirect(resolve_url(settings.LOGIN_URL))
        back = request.get_full_path() if request.method == "GET" else ""
        return HttpResponseRedirect(lock_url(self.home_url, user_pk, back))
