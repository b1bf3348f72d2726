"""The pages of the second step at sign-in (staff/second_factor.py has the rules and the middleware,
staff/passkeys.py the passkeys' checks): asking for a passkey or the code, and setting up an authenticator
app or a passkey, with the recovery codes. Beside the login in the project's URLs: after the second step
the person lands on the page they asked for, or the home page."""

from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from pages.http import AuthenticatedHttpRequest
from staff import passkeys
from staff import second_factor as sf
from staff.forms import PasskeyAnswerForm, PasskeySetupForm, SecondStepForm
from staff.lockout import locked_out_message


def _next_url(request: HttpRequest) -> str:
    """Where the sign-in was going: `next` when it is a page of this site, else the home page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, request: HttpRequest) -> HttpResponseRedirect:
    target = request.GET.get("next") or request.POST.get("next")
    url = resolve_url(url_name)
    return HttpResponseRedirect(f"{url}?{urlencode({'next': target})}" if target else url)


def _refused(request: HttpRequest, outcome: str) -> str:
    if outcome == sf.CodeCheck.WAIT:
        return gettext("Too many wrong codes in a row. Wait a moment and try again.")
    return gettext("This code is not right. Type the six digits your app shows now, or one of your recovery codes.")


def _signed_in(request: AuthenticatedHttpRequest, outcome: str, form: forms.Form, field: str) -> HttpResponse | None:
    """The answer to a code or a passkey: on to the page asked for, or out when locked out; None (and
    the form's message) when it was wrong."""
    if outcome == sf.CodeCheck.RIGHT:
        sf.mark_second_step_done(request)
        return HttpResponseRedirect(_next_url(request))
    if outcome == sf.CodeCheck.LOCKED_OUT:
        logout(request)
        messages.error(request, locked_out_message())
        return redirect("login")
    if field == "credential":
        form.add_error(None, gettext("This passkey did not work. Try again, or type one of your recovery codes."))
    else:
        form.add_error(field, _refused(request, outcome))
    return None


@never_cache
@sensitive_post_parameters("code", "credential")
@login_required
def second_step(request: AuthenticatedHttpRequest) -> HttpResponse:
    """After the password: a passkey, the code from the app, or a recovery code."""
    user = request.user
    if sf.second_step_done(request) or not sf.second_step_pending(request):
        return HttpResponseRedirect(_next_url(request))
    if not sf.has_second_factor(user):
        return _with_next("second_step_setup", request)
    with_passkey = request.method == "POST" and "credential" in request.POST
    form = SecondStepForm(None if with_passkey else request.POST or None)
    passkey_form = PasskeyAnswerForm(request.POST if with_passkey else None)
    if with_passkey:
        answer = passkey_form.cleaned_data["credential"] if passkey_form.is_valid() else ""
        outcome = passkeys.check_passkey(request, user, answer)
        if (done := _signed_in(request, outcome, passkey_form, "credential")) is not None:
            return done
    elif request.method == "POST" and form.is_valid():
        outcome = sf.check_code(request, user, form.cleaned_data["code"])
        if (done := _signed_in(request, outcome, form, "code")) is not None:
            return done
    context = {
        "form": form,
        "passkey_form": passkey_form,
        "passkey_options": passkeys.authentication_options(request, user),
        "has_app": sf.confirmed_app(user) is not None,
        "next": _next_url(request),
    }
    return render(request, "registration/second_step.html", context)


def _may_set_up(request: AuthenticatedHttpRequest) -> bool:
    """Before the second step, only one who has none yet sets one up: never a second app or passkey
    beside one whose code or answer was not given."""
    return not (sf.second_step_pending(request) and sf.has_second_factor(request.user))


@never_cache
@sensitive_post_parameters("code")
@login_required
def second_step_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up the authenticator app: at the first sign-in of one whose role needs it, or from the
    account page once signed in completely. A passkey is the other choice (second_step_passkey_setup)."""
    user = request.user
    if not _may_set_up(request):
        return _with_next("second_step", request)
    device = sf.pending_app(user)
    form = SecondStepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = sf.confirm_app(user, device, form.cleaned_data["code"])
        if codes is not None:
            sf.mark_second_step_done(request)
            return render(request, "registration/second_step_codes.html", {"codes": codes, "next": _next_url(request)})
        form.add_error("code", gettext("This code is not right. Type the six digits your app shows now."))
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, title=gettext("QR code for your app"))
    context = {
        "form": form,
        "qr": qr,
        "secret": sf.secret_in_letters(device),
        "already": sf.confirmed_app(user) is not None,
        "next": _next_url(request),
        "pending": sf.second_step_pending(request),
        "passkeys": passkeys.passkeys_of(user),
    }
    return render(request, "registration/second_step_setup.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@sensitive_post_parameters("credential")
@login_required
def second_step_passkey_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Add a passkey: at the first sign-in instead of the app, or later from the account page. The
    first second factor comes with the recovery codes; a passkey added beside one keeps the codes."""
    user = request.user
    if not _may_set_up(request):
        return _with_next("second_step", request)
    form = PasskeySetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["name"] or gettext("Passkey")
        passkey = passkeys.add_passkey(request, user, form.cleaned_data["credential"], name)
        if passkey is not None:
            codes = None if sf.has_recovery_codes(user) else sf.new_recovery_codes(user)
            sf.mark_second_step_done(request)
            if codes is not None:
                return render(
                    request, "registration/second_step_codes.html", {"codes": codes, "next": _next_url(request)}
                )
            messages.success(request, gettext("Your passkey has been added."))
            return HttpResponseRedirect(_next_url(request))
        form.add_error(None, gettext("This passkey could not be added. Try again, or choose an authenticator app."))
    context = {
        "form": form,
        "passkey_options": passkeys.registration_options(request, user),
        "passkeys": passkeys.passkeys_of(user),
        "next": _next_url(request),
        "pending": sf.second_step_pending(request),
    }
    return render(request, "registration/second_step_passkey_setup.html", context)


@never_cache
@require_POST
@login_required
def second_step_passkey_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Remove one of one's own passkeys: not the last second step a role needs. Signed in completely: before
    the second step the middleware refuses it (staff/second_factor.py, not one of OPEN_URL_NAMES)."""
    passkey = get_object_or_404(passkeys.passkeys_of(request.user), pk=pk)
    removal = passkeys.remove_own_passkey(request.user, passkey)
    if removal is passkeys.Removal.REFUSED:
        messages.error(
            request,
            gettext(
                "This passkey is your only second step, and your role needs one. Add another passkey or an "
                "authenticator app first, then remove this one."
            ),
        )
    else:
        messages.success(request, gettext("The passkey “%(name)s” has been removed.") % {"name": passkey.name})
    if removal is passkeys.Removal.REMOVED_WITH_CODES:
        messages.info(
            request,
            gettext(
                "This was your only second step: signing in asks for no second step now, and your recovery "
                "codes no longer work. A passkey or app you add later comes with new codes."
            ),
        )
    return redirect("second_step_passkey_setup")
