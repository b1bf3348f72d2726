"""The shared group tablet: registering a device, the group's screen, switching user with a PIN,
locking, and each staff member's own PIN page. The rules live in devices/services.py."""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from devices import services
from devices.forms import PasswordUnlockForm, PinSetForm, PinUnlockForm, TabletRegistrationForm
from devices.middleware import (
    COOKIE_NAME,
    lock_url,
    set_tablet_cookie,
    start_tablet_session,
)
from devices.models import Tablet
from devices.services import PinOutcome
from pages.http import AuthenticatedHttpRequest
from pages.middleware import TabletMiddleware
from staff.access import user_access
from staff.models import User

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _tablet(request: HttpRequest) -> Tablet | None:
    return getattr(request, "tablet", None)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


# --- the manager links a device ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def tablet_register(request: AuthenticatedHttpRequest) -> HttpResponse:
    """From the device's own browser: make it the tablet of a group (managers of its location)."""
    if not services.registrable_groups(request.user).exists():
        raise Http404
    form = TabletRegistrationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        group = form.cleaned_data["group"]
        tablet, token = services.register_tablet(
            group=group, name=form.cleaned_data["name"], by=request.user, replacing=_tablet(request)
        )
        # The manager's own session ends here: the tablet now waits for the group's staff.
        logout(request)
        messages.success(request, _("This device is now the group tablet of %(group)s.") % {"group": group.name})
        response = redirect("tablet_home")
        set_tablet_cookie(response, token)
        return response
    context = {
        "form": form,
        "tablets": services.managed_tablets(request.user),
        "this_tablet": _tablet(request),
    }
    return render(request, "pages/tablet_register.html", context)


@require_POST
@login_required
def tablet_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tablet = get_object_or_404(services.managed_tablets(request.user), pk=pk)
    services.revoke_tablet(tablet, by=request.user)
    messages.success(request, _("%(name)s is no longer a group tablet.") % {"name": tablet.name})
    response = redirect("tablet_register")
    this_tablet = _tablet(request)
    if this_tablet is not None and this_tablet.pk == tablet.pk:
        response.delete_cookie(COOKIE_NAME, samesite="Lax")
    return response


# --- on the tablet -----------------------------------------------------------------------------


@require_safe
@never_cache
def tablet_home(request: HttpRequest) -> HttpResponse:
    """The group's screen: the staff who may switch to themselves here."""
    tablet = _tablet(request)
    if tablet is None:
        return render(request, "pages/tablet_unknown.html", status=404)
    resume_for = request.GET.get("voor", "")
    next_path = _safe_next(request)
    people = [
        (person, next_path if next_path and str(person.pk) == resume_for else "")
        for person in services.staff_of_tablet(tablet)
    ]
    return render(request, "pages/tablet_home.html", {"tablet": tablet, "people": people})


def _unlock_messages(outcome: PinOutcome) -> str:
    if outcome is PinOutcome.LOCKED:
        return _(
            "Too many wrong PINs were typed for you on this tablet. Log in with your password once; "
            "your PIN then works again."
        )
    if outcome is PinOutcome.PASSWORD_NEEDED:
        return _(
            "You have not used your password for %(days)d days. Log in with it once; "
            "your PIN then works for another %(days)d days."
        ) % {"days": settings.TABLET_PASSWORD_DAYS}
    return _("You have no PIN yet. Log in with your password; then set your PIN under “PIN”.")


def _wait_words(seconds: int) -> str:
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def _wait_message(seconds: int) -> str:
    return _(
        "Too many wrong PINs for you: you can try your PIN again in %(wait)s, or log in with your password now."
    ) % {"wait": _wait_words(seconds)}


def _missed_message(missed: services.MissedPins) -> str:
    since = date_format(timezone.localtime(missed.since), "DATETIME_FORMAT")
    return ngettext(
        "A wrong PIN was typed for you %(count)d time on this tablet since %(since)s. "
        "If that was not you, tell your location manager.",
        "A wrong PIN was typed for you %(count)d times on this tablet since %(since)s. "
        "If that was not you, tell your location manager.",
        missed.count,
    ) % {"count": missed.count, "since": since}


def enter_tablet(
    request: HttpRequest, tablet: Tablet, person: User, *, by_pin: bool, missed: services.MissedPins | None = None
) -> None:
    """Log `person` in on `tablet` (PIN or password already checked) and tell them of wrong PINs."""
    if by_pin:
        setattr(request, services.PIN_LOGIN_MARK, True)
    login(request, person, backend=MODEL_BACKEND)
    start_tablet_session(request, tablet)
    if not by_pin:
        missed = services.take_missed(person, tablet)
        if not services.pin_status(person).has_pin:
            messages.info(request, _("Tip: set a PIN under “PIN”; next time you switch with it."))
    if missed is not None:
        messages.warning(request, _missed_message(missed))


def _enter(
    request: HttpRequest, tablet: Tablet, person: User, *, by_pin: bool, missed: services.MissedPins | None = None
) -> HttpResponse:
    next_path = _safe_next(request)
    enter_tablet(request, tablet, person, by_pin=by_pin, missed=missed)
    return HttpResponseRedirect(next_path or reverse("group_detail", args=[tablet.group_id]))


def pin_refusal(result: services.PinResult) -> tuple[str, str]:
    """A refused PIN: the message beside the PIN field ("" when the password form takes over), and the
    notice above the password form."""
    if result.outcome is PinOutcome.WRONG:
        if result.wait_seconds:
            return _("This PIN is not right.") + " " + _wait_message(result.wait_seconds), ""
        return _("This PIN is not right. Please try again."), ""
    if result.outcome is PinOutcome.WAIT:
        return _wait_message(result.wait_seconds), ""
    return "", _unlock_messages(result.outcome)


@require_http_methods(["GET", "POST"])
@never_cache
def tablet_unlock(request: HttpRequest, user_pk: int) -> HttpResponse:
    """One staff member switches to themselves: their PIN, or their password when the PIN cannot."""
    tablet = _tablet(request)
    if tablet is None:
        return redirect("tablet_home")
    person = get_object_or_404(services.staff_of_tablet(tablet), pk=user_pk)
    status = services.pin_status(person)
    use_password = request.GET.get("wachtwoord") == "1" or request.POST.get("mode") == "password"
    notice = ""
    locked_here = status.has_pin and services.pin_locked_on(person, tablet)
    if not status.has_pin or locked_here or status.password_needed:
        use_password = True
        notice = _unlock_messages(
            PinOutcome.NO_PIN
            if not status.has_pin
            else PinOutcome.LOCKED
            if locked_here
            else PinOutcome.PASSWORD_NEEDED
        )
    if use_password:
        form: PinUnlockForm | PasswordUnlockForm = PasswordUnlockForm(
            request.POST or None, request=request, user=person
        )
        if request.method == "POST" and form.is_valid():
            return _enter(request, tablet, person, by_pin=False)
    else:
        form = PinUnlockForm(request.POST or None)
        if request.method == "GET" and (wait := services.pin_wait(person, tablet)):
            notice = _wait_message(wait)
        if request.method == "POST" and form.is_valid():
            result = services.check_pin(person, tablet, form.cleaned_data["pin"])
            if result.ok:
                return _enter(request, tablet, person, by_pin=True, missed=result.missed)
            if result.outcome is PinOutcome.NOT_ALLOWED:
                raise Http404
            error, notice = pin_refusal(result)
            if error:
                form.add_error("pin", error)
            else:
                use_password = True
                form = PasswordUnlockForm(request=request, user=person)
    context = {
        "tablet": tablet,
        "person": person,
        "form": form,
        "use_password": use_password,
        "notice": notice,
        "next": _safe_next(request),
        "has_pin": status.has_pin,
    }
    return render(request, "pages/tablet_unlock.html", context)


@require_POST
def tablet_lock(request: HttpRequest) -> HttpResponse:
    """Back to the group's screen (the lock button, or the page itself after idle minutes)."""
    tablet = _tablet(request)
    user_pk = request.user.pk if request.user.is_authenticated else None
    next_path = _safe_next(request)
    logout(request)
    if tablet is None:
        return redirect(settings.LOGIN_URL)
    return HttpResponseRedirect(lock_url(TabletMiddleware.home_url, user_pk, next_path))


# --- the staff member's own PIN page -----------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def pin_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set or remove one's own PIN for group tablets, after giving the full password."""
    if not user_access(request.user).may_set_pin:
        raise Http404
    form = PinSetForm(request=request, user=request.user)
    if request.method == "POST":
        if "remove" in request.POST:
            services.remove_pin(request.user)
            messages.success(request, _("Your PIN was removed. On a group tablet you now log in with your password."))
            return redirect("pin_settings")
        form = PinSetForm(request.POST, request=request, user=request.user)
        if form.is_valid():
            services.set_pin(request.user, form.cleaned_data["pin"])
            messages.success(request, _("Your PIN was saved. Use it to switch to yourself on your group's tablet."))
            return redirect("pin_settings")
    context = {
        "form": form,
        "status": services.pin_status(request.user),
        "max_tries": settings.TABLET_PIN_MAX_TRIES,
        "password_days": settings.TABLET_PASSWORD_DAYS,
    }
    return render(request, "pages/pin_settings.html", context)


# --- the connection check of entries that wait for a connection, and the tablet's heartbeat -------


@require_safe
@never_cache
def connection_check(request: HttpRequest) -> HttpResponse:
    """204: the server answers. The entry form asks before it saves; a tablet's page asks while
    someone works on it, so the idle lock counts from their last touch, not their last page."""
    return HttpResponse(status=204)
