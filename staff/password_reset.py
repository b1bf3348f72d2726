"""Password reset by e-mail (/wachtwoord-vergeten/), the mail sent by the task queue.

The request does the same work for every address: it checks the form and puts one task in the queue
(`send_password_reset_mail`), whether or not the address belongs to an account. Looking the account
up, the one-mail-per-interval claim and the mail itself happen in the worker (`manage.py db_worker`),
so the answer's timing no longer tells a known address from an unknown one (a known one took
10.8 ms, an unknown one 4.0 ms while the mail went out inside the request).

In the worker the task finds the active account of the address (matched case-insensitively, in its
normalised spelling), claims the mail (PasswordResetMail.claim: at most one per
PASSWORD_RESET_MAIL_INTERVAL_MINUTES, two at once send one) and sends it in the language of the
request; for an unknown or inactive address it sends nothing. The queue keeps the typed address in
its task row until `prune_db_task_results` clears finished tasks (README, Production).
"""

from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from organisations.observability import current_request_id
from staff.forms import NormalisedEmailField
from staff.models import PasswordResetMail, SingleSignOn, User
from staff.tokens import reset_token_generator

SUBJECT_TEMPLATE = "registration/password_reset_subject.txt"
BODY_TEMPLATE = "registration/password_reset_email.txt"
# For a person whose organisation switched password sign-in off (staff/sso.py): no link, the way in.
SINGLE_SIGN_ON_BODY_TEMPLATE = "staff/password_reset_sso_email.txt"


class EmailPasswordResetForm(PasswordResetForm):
    """Django's reset form (active users only, matched case-insensitively) with the normalised address
    field. Its `save`, in the request, only queues the mail; the task sends it (`send_now`)."""

    email = NormalisedEmailField(
        label=_("E-mail address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def get_users(self, email: str) -> Iterator[User]:
        for user in super().get_users(email):
            if PasswordResetMail.claim(user):
                yield user

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        """Django's mail; to a person whose organisation signs in only with its own accounts, the
        mail that points to its sign-on button instead of a reset link."""
        config = SingleSignOn.refusing_password_of(context["user"])
        if config is not None:
            context = {**context, "single_sign_on": config, "uid": None, "token": None}
            email_template_name = SINGLE_SIGN_ON_BODY_TEMPLATE
        super().send_mail(
            subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name
        )

    def save(  # type: ignore[override]  # PasswordResetView passes Django's mail options; the task has its own
        self, domain_override: str | None = None, use_https: bool = False, request: HttpRequest | None = None, **_: Any
    ) -> None:
        """In the request: one task in the queue, the same for a known and an unknown address."""
        domain = domain_override or (request.get_host() if request is not None else "")
        if not domain:
            raise ValueError("The reset link needs the site's address: pass the request or domain_override.")
        send_password_reset_mail.enqueue(
            email=self.cleaned_data["email"],
            domain=domain,
            use_https=use_https,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            request_id=current_request_id(),
        )

    def send_now(self, *, domain: str, use_https: bool) -> None:
        """In the worker: Django's own reset mail (link, token, templates) to the claimed account, if any."""
        mail_context: dict[str, Any] = {"valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60}
        super().save(
            domain_override=domain,
            use_https=use_https,
            token_generator=reset_token_generator,
            subject_template_name=SUBJECT_TEMPLATE,
            email_template_name=BODY_TEMPLATE,
            extra_email_context=mail_context,
        )


@task()
def send_password_reset_mail(*, email: str, domain: str, use_https: bool, language: str, request_id: str = "") -> None:
    """The task: the reset mail of `email`, or nothing when no active account has that address.
    `request_id`: the request that queued it, for the task's log line (attachment_site/observability.py)."""
    with translation.override(language):
        form = EmailPasswordResetForm({"email": email})
        if form.is_valid():
            form.send_now(domain=domain, use_https=use_https)
