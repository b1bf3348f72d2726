"""Password reset by e-mail (/wachtwoord-vergeten/): Dutch pages and mail, the same answer for every
address, the address matched case-insensitively, links only for active accounts."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
NEW_PASSWORD = "een-nieuw-lang-wachtwoord-42"
DONE_TEXT = "Hoort dit adres bij een account, dan is er een e-mail onderweg"


def ask_for_a_link(client, address):
    return client.post(reverse("password_reset"), {"email": address})


def link_in(message) -> str:
    match = re.search(r"https?://[^/\s]+(/wachtwoord-herstellen/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def set_password_through(client, link, password=NEW_PASSWORD):
    form_page = client.get(link, follow=True)
    assert "Kies een nieuw wachtwoord" in form_page.content.decode()
    form_url = form_page.redirect_chain[-1][0]  # Django swaps the token for a session key first
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def test_problem_10_a_forgotten_password_is_reset_by_e_mail(client):
    """Issue 9, problem 10: no way back without an admin."""
    user = make_user("anna@example.org", first_name="Anna")
    login_page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in login_page and "Wachtwoord vergeten?" in login_page
    assert reverse("password_reset") == "/wachtwoord-vergeten/"
    page = client.get(reverse("password_reset")).content.decode()
    assert "Wachtwoord vergeten?" in page and "Link versturen" in page

    response = ask_for_a_link(client, "  Anna@Example.ORG ")  # any spelling of the address
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert DONE_TEXT in client.get(response["Location"]).content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna@example.org"]
    assert message.subject == "Nieuw wachtwoord voor Gehechtheid in beeld"
    assert message.body.startswith("Hallo Anna,")
    assert "Kies een nieuw wachtwoord via deze link:" in message.body
    assert "De link werkt één keer en blijft 60 minuten geldig." in message.body
    assert "Je logt in met je e-mailadres: anna@example.org" in message.body

    response = set_password_through(client, link_in(message))
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_complete")
    complete = client.get(response["Location"]).content.decode()
    assert "Wachtwoord opgeslagen" in complete and "Je kunt er nu mee inloggen." in complete
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    login = Client().post(reverse("login"), {"username": "anna@example.org", "password": NEW_PASSWORD})
    assert login.status_code == 302 and login["Location"] == reverse("home")
    old = Client().post(reverse("login"), {"username": "anna@example.org", "password": PASSWORD})
    assert old.status_code == 200


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client):
    make_user("anna@example.org")
    known = ask_for_a_link(Client(), "anna@example.org")
    unknown = ask_for_a_link(client, "niemand@example.org")
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert DONE_TEXT in client.get(unknown["Location"]).content.decode()
    assert [m.to for m in mail.outbox] == [["anna@example.org"]]


def test_a_link_works_once(client):
    make_user("anna@example.org")
    ask_for_a_link(client, "anna@example.org")
    link = link_in(mail.outbox[0])
    assert set_password_through(client, link).status_code == 302
    page = Client().get(link, follow=True).content.decode()
    assert "Deze link werkt niet" in page and "Kies een nieuw wachtwoord" not in page


def test_an_inactive_account_gets_no_mail_and_an_earlier_link_does_nothing(client):
    user = make_user("anna@example.org")
    ask_for_a_link(client, "anna@example.org")
    link = link_in(mail.outbox[0])
    user.is_active = False
    user.save(update_fields=["is_active"])

    response = ask_for_a_link(Client(), "anna@example.org")
    assert response.status_code == 302 and len(mail.outbox) == 1  # the same answer, no second mail

    page = client.get(link, follow=True).content.decode()
    assert "Deze link werkt niet" in page and "account dat uitgeschakeld is" in page
    # Posting a new password to the link's form address changes nothing either.
    uidb64 = link.strip("/").split("/")[1]
    client.post(
        reverse("password_reset_confirm", args=[uidb64, "set-password"]),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    user.refresh_from_db()
    assert user.check_password(PASSWORD) and not user.check_password(NEW_PASSWORD)


def mail_settings(**env) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_", "DEFAULT_FROM"))}
    environment.update({"DJANGO_SETTINGS_MODULE": "attachment_site.settings", **env})
    code = (
        "from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, "
        "s.EMAIL_USE_TLS, s.DEFAULT_FROM_EMAIL, sep='|')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_mail_goes_to_the_console_in_development_and_through_smtp_in_production():
    assert mail_settings(DJANGO_DEBUG="1").startswith("django.core.mail.backends.console.EmailBackend|")
    production = mail_settings(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="k3y-" + "x" * 60,
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="2525",
        EMAIL_HOST_USER="app",
        EMAIL_HOST_PASSWORD="geheim",
        EMAIL_USE_TLS="0",
        DEFAULT_FROM_EMAIL="Gehechtheid in beeld <noreply@example.org>",
    )
    assert production == (
        "django.core.mail.backends.smtp.EmailBackend|smtp.example.org|2525|app|geheim|False|"
        "Gehechtheid in beeld <noreply@example.org>"
    )


def test_repeated_requests_send_one_mail_per_interval_with_the_same_answer(client):
    """Nobody can flood a known address: one mail per PASSWORD_RESET_MAIL_INTERVAL_MINUTES (10)."""
    import datetime

    from staff.models import PasswordResetMail

    make_user("anna@example.org", first_name="Anna")
    for _ in range(5):
        response = ask_for_a_link(client, "anna@example.org")
        assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    PasswordResetMail.objects.update(sent_at=PasswordResetMail.objects.get().sent_at - datetime.timedelta(minutes=11))
    ask_for_a_link(client, "anna@example.org")
    assert len(mail.outbox) == 2
    assert PasswordResetMail.objects.count() == 1  # only the last mail is kept: it is all the rule needs
