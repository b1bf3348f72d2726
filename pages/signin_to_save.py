"""A save that meets an ended session keeps what was sent, asks for the PIN or password in place, and
then saves it, once.

`login_required_keeping_post` replaces `login_required` on the entry views. A GET without a session goes
to the login page as before. A POST without one (the session timed out, the tablet locked itself, or it
was locked in another tab) is answered with a page that says the entry is not saved yet and carries
every field that was sent in hidden inputs, beside a PIN field (on the group tablet, for the author the
entry form names), a password field (elsewhere, for the person whose session ended in this browser) or
the login's e-mail and password (when nobody is known). Sending it posts the same fields, with the same
submission key, to the same view: the person is signed in and the view runs as if the session had
never ended. The entry kit's submission key makes a second send of the same form (a double tap, a
reload) save nothing more.

The middlewares that end a session (staff.middleware.SessionTimeoutMiddleware, devices' tablet lock) let
such a POST through signed out instead of sending it to the login page: the view is marked
`staff.middleware.KEEPS_POST`. The password goes through `authenticate` like the login, so django-axes
counts and locks as there; the PIN through devices' own rules, per person and tablet. What axes keeps of
a failed try (its `post_data`) never holds the carried entry: the check sees only the e-mail address.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.contrib.auth import authenticate, login
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from devices import services
from devices.forms import pin_widget
from devices.models import Tablet
from devices.services import PinOutcome
from pages.views.tablet import MODEL_BACKEND, enter_tablet, pin_refusal
from staff.forms import NormalisedEmailField
from staff.lockout import PasswordCheck, check_own_password, locked_out_message
from staff.middleware import KEEPS_POST, SIGNED_OUT_USER
from staff.models import User

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PREFIX = "signin"
DRAFT_FORM = re.compile(r"^(new|edit)-[0-9]+$")  # offline.js's form keys
OUTBOX_HEADER = "X-Queued-Entry"  # the offline queue's resend: it keeps waiting for its own user's page

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


class SignInToSaveForm(forms.Form):
    """The PIN, the password, or the e-mail address and password, by `mode`. After the check: the wrong
    PINs to tell of (`missed`), or why the password takes over from the PIN (`notice`)."""

    prefix = PREFIX
    missed: services.MissedPins | None = None
    notice: str = ""

    def __init__(self, *args: Any, mode: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if mode == "login":
            self.fields["email"] = NormalisedEmailField(
                label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
            )
        if mode == "pin":
            self.fields["pin"] = forms.CharField(label=_("Your PIN"), max_length=6, strip=True, widget=pin_widget())
        else:
            self.fields["password"] = forms.CharField(
                label=_("Your password"),
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
            )
        first = next(iter(self.fields.values()))
        first.widget.attrs["autofocus"] = "autofocus"


def _known_person(request: HttpRequest, tablet: Tablet | None) -> User | None:
    """On a group tablet, the person the entry form names (its author), when they are staff of this
    tablet, whose names its screen shows anyway. Else whose session ended in this browser (the
    middlewares keep it in the signed-out session). Off a tablet a posted name is not taken: the page
    would tell anyone a person's name."""
    posted = request.POST.get(f"{PREFIX}-user", "")
    if tablet is not None and posted.isdigit():
        person = services.staff_of_tablet(tablet).filter(pk=int(posted)).first()
        if person is not None:
            return person
    pk = request.session.get(SIGNED_OUT_USER)
    if isinstance(pk, int):
        return User.objects.filter(pk=pk, is_active=True).first()
    return None


def _pin_usable(person: User, tablet: Tablet) -> bool:
    status = services.pin_status(person)
    return status.has_pin and not status.password_needed and not services.pin_locked_on(person, tablet)


def _draft_of(request: HttpRequest, person: User | None, tablet: Tablet | None) -> tuple[str, str]:
    """Where offline.js keeps the draft of the form that was sent (its key and storage), so this page
    keeps it a draft until the entry is saved; ("", "") when unknown."""
    form_key = request.POST.get(f"{PREFIX}-draft", "")
    if person is None or not DRAFT_FORM.match(form_key):
        return "", ""
    if tablet is not None:
        return f"draft:v2:t{tablet.pk}:{person.pk}:{form_key}", "localStorage"
    return f"draft:v1:{person.pk}:{form_key}", "sessionStorage"


def _carried(request: HttpRequest) -> list[tuple[str, str]]:
    """Every field that was sent, except the CSRF token and this page's own fields."""
    return [
        (name, value)
        for name, values in request.POST.lists()
        if name != "csrfmiddlewaretoken" and not name.startswith(f"{PREFIX}-")
        for value in values
    ]


def _authenticate_quietly(request: HttpRequest, check: Callable[[], Any]) -> Any:
    """Run a password check with a POST that holds nothing of the entry: django-axes stores the POST of
    a failed try, and an observation's notes do not belong in its table."""
    carried = request.POST
    request.POST = QueryDict()  # empty and immutable, like the one Django makes
    try:
        return check()
    finally:
        request.POST = carried


def sign_in_to_save(request: HttpRequest, not_saved: str, proceed: Callable[[], HttpResponse]) -> HttpResponse:
    """The page between an ended session and the save (see the module's docstring)."""
    tablet: Tablet | None = getattr(request, "tablet", None)
    person = _known_person(request, tablet)
    on_tablet = tablet is not None and person is not None and services.may_use_tablet(person, tablet)
    pin_usable = tablet is not None and person is not None and on_tablet and _pin_usable(person, tablet)
    default_mode = "pin" if pin_usable else "password" if person else "login"
    mode = request.POST.get(f"{PREFIX}-mode") or default_mode
    if (
        mode not in ("pin", "password", "login")
        or (mode == "pin" and not on_tablet)
        or (mode == "password" and not person)
    ):
        mode = default_mode
    submitted = f"{PREFIX}-submit" in request.POST
    notice = ""
    if f"{PREFIX}-use-password" in request.POST and person is not None:
        mode, submitted = "password", False
    form = SignInToSaveForm(request.POST if submitted else None, mode=mode)
    if submitted and form.is_valid():
        signed_in = _check(request, form, mode, person, tablet if on_tablet else None)
        if isinstance(signed_in, User):
            request.session.pop(SIGNED_OUT_USER, None)
            if on_tablet and signed_in == person:
                assert tablet is not None
                enter_tablet(request, tablet, signed_in, by_pin=mode == "pin", missed=form.missed)
            elif tablet is not None and services.may_use_tablet(signed_in, tablet):
                enter_tablet(request, tablet, signed_in, by_pin=False)
            else:
                login(request, signed_in, backend=MODEL_BACKEND)
            return proceed()
        if signed_in == "password":  # the PIN cannot: the password takes over, with why
            mode, notice = "password", form.notice
            form = SignInToSaveForm(mode=mode)
    draft_key, draft_storage = _draft_of(request, person, tablet)
    context = {
        "draft_key": draft_key,
        "draft_storage": draft_storage,
        "form": form,
        "mode": mode,
        "person": person,
        "on_tablet": on_tablet,
        "carried": _carried(request),
        "not_saved": not_saved,
        "notice": notice,
        "prefix": PREFIX,
    }
    return render(request, "pages/signin_to_save.html", context)


def _check(
    request: HttpRequest, form: SignInToSaveForm, mode: str, person: User | None, tablet: Tablet | None
) -> User | str | None:
    """The person who signed in; "password" when the PIN gives way to the password; None with the form's
    errors set."""
    data = form.cleaned_data
    if mode == "pin" and person is not None and tablet is not None:
        result = services.check_pin(person, tablet, data["pin"])
        if result.ok:
            form.missed = result.missed
            return person
        if result.outcome is PinOutcome.NOT_ALLOWED:
            form.add_error(None, _("You cannot log in on this tablet."))
            return None
        error, notice = pin_refusal(result)
        if error:
            form.add_error("pin", error)
            return None
        form.notice = notice
        return "password"
    if mode == "password" and person is not None:
        outcome = _authenticate_quietly(request, lambda: check_own_password(request, person, data["password"]))
        if outcome is PasswordCheck.RIGHT:
            return person
        form.add_error(
            "password",
            locked_out_message()
            if outcome is PasswordCheck.LOCKED_OUT
            else _("This password is not right. Please try again."),
        )
        return None
    email = data.get("email", "")
    user = _authenticate_quietly(request, lambda: authenticate(request, username=email, password=data["password"]))
    if getattr(request, "axes_locked_out", False):
        setattr(request, "axes_locked_out", False)  # noqa: B010 - the form says it, not axes' page
        form.add_error(None, locked_out_message())
        return None
    if not isinstance(user, User):
        form.add_error(None, _("This e-mail address and password do not match. Please try again."))
        return None
    return user


def login_required_keeping_post(not_saved: StrOrPromise) -> Callable[[ViewFunc], ViewFunc]:
    """`login_required` for a view that saves an entry: a POST without a session is kept (see the
    module's docstring). `not_saved` says what is not saved yet, e.g. "Your observation is not saved yet."."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.is_authenticated:
                return view(request, *args, **kwargs)
            if request.method != "POST" or request.headers.get(OUTBOX_HEADER) == "1":
                return redirect_to_login(request.get_full_path())
            return sign_in_to_save(request, str(not_saved), lambda: view(request, *args, **kwargs))

        setattr(wrapped, KEEPS_POST, True)
        return wrapped  # type: ignore[return-value]

    return decorator


OBSERVATION_NOT_SAVED = gettext_lazy("Your observation has not been saved yet.")
