"""Sessions end after SESSION_IDLE_MINUTES without a request, and SESSION_MAX_HOURS after the login.

The login stamps both times in the session (`stamp_login`, on Django's user_logged_in signal). Each
request of a logged-in user checks them; the last-activity time is written at most once a minute, so
most requests save nothing. An expired session is logged out and the request goes to the login page,
which says why; except a POST to a view marked `KEEPS_POST` (an entry being saved): it goes on, signed
out, so the view can keep what was sent and ask for the password in place (pages/signin_to_save.py).
The new, signed-out session remembers whose session ended (`SIGNED_OUT_USER`), so that page asks for
that person's password, also when an earlier request (the entry form's connection check) ended it.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import resolve_url
from django.urls import Resolver404, resolve
from django.utils.translation import gettext, ngettext

LOGIN_AT = "staff_login_at"
SEEN_AT = "staff_seen_at"
# Seconds between two writes of the last-activity time: the idle limit is exact to within this.
ACTIVITY_RESOLUTION = 60
# Attribute of a view function: a POST to it that meets an expired session reaches it signed out.
KEEPS_POST = "keeps_post_after_sign_in"
# Session key of the signed-out session: the pk of the user whose session ended in this browser.
SIGNED_OUT_USER = "staff_signed_out_user"


def keeps_post(request: HttpRequest) -> bool:
    """A POST to a view that keeps what was sent when the session is over (see KEEPS_POST)."""
    if request.method != "POST":
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return bool(getattr(match.func, KEEPS_POST, False))


def stamp_login(sender: object, request: HttpRequest | None, user: object, **kwargs: object) -> None:
    """user_logged_in receiver: a new session starts both clocks."""
    session = getattr(request, "session", None)
    if session is not None:
        now = int(time.time())
        session[LOGIN_AT] = now
        session[SEEN_AT] = now


def expiry_message(session: SessionBase, now: int) -> str | None:
    """Why this session is over (idle first, then too long open), or None while it is valid."""
    seen_at, login_at = session.get(SEEN_AT), session.get(LOGIN_AT)
    if seen_at is None or login_at is None:
        return None
    if now - seen_at > settings.SESSION_IDLE_MINUTES * 60:
        return gettext("You were inactive for a while; please log in again.")
    hours = settings.SESSION_MAX_HOURS
    if now - login_at > hours * 3600:
        return ngettext(
            "Your session was open for more than %(hours)d hour; please log in again.",
            "Your session was open for more than %(hours)d hours; please log in again.",
            hours,
        ) % {"hours": hours}
    return None


class SessionTimeoutMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated:
            session = request.session
            now = int(time.time())
            message = expiry_message(session, now)
            if message is not None:
                user_pk = request.user.pk
                logout(request)
                request.session[SIGNED_OUT_USER] = user_pk
                messages.info(request, message)
                if not keeps_post(request) and request.path != resolve_url(settings.LOGIN_URL):
                    return redirect_to_login(request.get_full_path())
            elif session.get(LOGIN_AT) is None or session.get(SEEN_AT) is None:
                # A session from before these limits: its clocks start now.
                session[LOGIN_AT] = session.get(LOGIN_AT) or now
                session[SEEN_AT] = now
            elif now - session[SEEN_AT] >= ACTIVITY_RESOLUTION:
                session[SEEN_AT] = now
        return self.get_response(request)
