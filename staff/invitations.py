"""Invitations of new staff: a person made without a usable password (by hand in the administration,
or by an import, planning_import/applying.py) gets a mail with a one-time link to choose one.

It is the password reset's mechanism (staff/password_reset.py) once more, not a second one: Django's
reset tokens (staff.tokens.InvitationTokenGenerator, bound to the `Invitation` row), Django's
confirm view and set-password form (staff.views.InvitationAcceptView: the password validators; no
login happens there, so the lockout and the second factor of the login page stay in force), the
same mail sending (`PasswordResetForm.send_mail`) from the task queue (django-tasks, `db_worker`).

An `Invitation` is a row of its own rather than a longer reset link because the administration lists
the open ones, a resend must void the old link (the token hashes `sent_at`) and a reset link's
validity is an hour, an invitation's days (INVITATION_VALID_DAYS).

`invite(user, ...)` writes or renews the row and queues the mail when the transaction commits; the
task sends it only while the row is as it was queued (a resend in between sends only the newer mail).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from organisations.models import Organisation
from staff.models import Invitation, SingleSignOn, User
from staff.tokens import invitation_token_generator

SUBJECT_TEMPLATE = "registration/invitation_subject.txt"
BODY_TEMPLATE = "registration/invitation_email.txt"


def uses_single_sign_on(organisation: Organisation | None) -> SingleSignOn | None:
    """The organisation's own accounts its people may sign in with (staff/sso.py), if it switched them
    on: the mail and the page then say so too, with the organisation's login page."""
    if organisation is None:
        return None
    return SingleSignOn.objects.filter(organisation=organisation, enabled=True).first()


def sso_login_path(organisation: Organisation | None) -> str:
    """The organisation's own login page (/inloggen/<slug>/), or "" when it has no sign-on switched on."""
    single_sign_on = uses_single_sign_on(organisation)
    return reverse("sso_login", args=[single_sign_on.slug]) if single_sign_on else ""


def site_of(request: HttpRequest) -> str:
    """The site's address as the request reached it (as the password reset's mail takes it)."""
    return f"{request.scheme}://{request.get_host()}"


def invite(user: User, *, organisation: Organisation | None, by: User | None, site: str | None = None) -> Invitation:
    """Invite `user` (again): a new link valid for INVITATION_VALID_DAYS, the old one void, the mail
    queued once the transaction commits. `site` is the address the link starts with (SITE_URL without)."""
    now = timezone.now()
    values: dict[str, Any] = {
        "invited_by": by,
        "sent_at": now,
        "valid_until": now + datetime.timedelta(days=settings.INVITATION_VALID_DAYS),
        "used_at": None,
    }
    if organisation is not None:
        values["organisation"] = organisation
    invitation, _ = Invitation.objects.update_or_create(user=user, defaults=values)
    sent_at, site, language = now.isoformat(), site or settings.SITE_URL, settings.LANGUAGE_CODE
    transaction.on_commit(
        lambda: send_invitation_mail.enqueue(invitation_id=invitation.pk, sent_at=sent_at, site=site, language=language)
    )
    return invitation


def mark_used(user: User) -> None:
    """The person chose a password through the link, or signed in otherwise: the invitation is done."""
    Invitation.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())


def mark_used_on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """user_logged_in: a login in any way (a password, the organisation's account) uses the invitation."""
    mark_used(user)


@task()
def send_invitation_mail(*, invitation_id: int, sent_at: str, site: str, language: str) -> None:
    """The task: the invitation mail, unless it was used, sent again or withdrawn since it was queued,
    or the account was switched off."""
    invitation = Invitation.objects.select_related("user", "organisation").filter(pk=invitation_id).first()
    if invitation is None or invitation.sent_at.isoformat() != sent_at or not invitation.is_open:
        return
    user = invitation.user
    if not user.is_active:
        return
    uid, token = urlsafe_base64_encode(force_bytes(user.pk)), invitation_token_generator.make_token(user)
    refusing = SingleSignOn.refusing_password_of(user)
    context = {
        "user": user,
        "organisation": invitation.organisation,
        "link": site + reverse("invitation_accept", kwargs={"uidb64": uid, "token": token}),
        "valid_until": invitation.valid_until,
        "valid_days": settings.INVITATION_VALID_DAYS,
        "single_sign_on": uses_single_sign_on(invitation.organisation),
        # the organisation switched password sign-in off: the mail sends to its login page, no link
        "password_off": refusing,
        "password_off_path": reverse("sso_login", args=[refusing.slug]) if refusing else "",
        "sso_login_path": sso_login_path(invitation.organisation),
        "site": site,
    }
    with translation.override(language):
        PasswordResetForm().send_mail(SUBJECT_TEMPLATE, BODY_TEMPLATE, context, None, user.email)
