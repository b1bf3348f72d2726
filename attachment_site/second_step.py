"""The pages of the second step at sign-in (staff/second_factor.py has the rules and the middleware):
asking for the code, and setting up an authenticator app with its recovery codes. Beside the login in
the project's URLs: after the second step the person lands on the page they asked for, or the home page."""

from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from pages.http import AuthenticatedHttpRequest
from staff import second_factor as sf
from staff.forms import SecondStepForm
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


@never_cache
@sensitive_post_parameters("code")
@login_required
def second_step(request: AuthenticatedHttpRequest) -> HttpResponse:
    """After the password: the code from the app, or a recovery code."""
    user = request.user
    if sf.second_step_done(request) or not sf.second_step_pending(request):
        return HttpResponseRedirect(_next_url(request))
    if sf.confirmed_app(user) is None:
        return _with_next("second_step_setup", request)
    form = SecondStepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = sf.check_code(request, user, form.cleaned_data["code"])
        if outcome == sf.CodeCheck.RIGHT:
            sf.mark_second_step_done(request)
            return HttpResponseRedirect(_next_url(request))
        if outcome == sf.CodeCheck.LOCKED_OUT:
            logout(request)
            messages.error(request, locked_out_message())
            return redirect("login")
        form.add_error("code", _refused(request, outcome))
    return render(request, "registration/second_step.html", {"form": form, "next": _next_url(request)})


@never_cache
@sensitive_post_parameters("code")
@login_required
def second_step_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up the authenticator app: at the first sign-in of one whose role needs it, or from the
    account page once signed in completely. Never to replace an app before its code was given."""
    user = request.user
    if sf.second_step_pending(request) and sf.confirmed_app(user) is not None:
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
    }
    return render(request, "registration/second_step_setup.html", context)
