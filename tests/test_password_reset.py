"""Password reset by e-mail (/wachtwoord-vergeten/): Dutch pages and mail, the same answer (and the
same work) for every address, the address matched case-insensitively, links only for active accounts.
The mail goes out from the task queue: the tests run the real worker (`manage.py db_worker`)."""

import math
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tests.factories import PASSWORD, make_user
from tests.task_worker import run_worker

pytestmark = pytest.mark.django_db(transaction=True)  # the worker commits, as in production

ROOT = Path(__file__).resolve().parents[1]
NEW_PASSWORD = "een-nieuw-lang-wachtwoord-42"
DONE_TEXT = "Hoort dit adres bij een account, dan is er een e-mail onderweg"


def ask_for_a_link(client, address, *, worker=True):
    """Send the form; then, as `make run`'s worker would, run the queue (unless `worker=False`)."""
    response = client.post(reverse("password_reset"), {"email": address})
    if worker:
        run_worker()
    return response


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


@pytest.mark.django_db  # no worker here: a plain test transaction
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


# --- issue 19, item 2: the mail goes out from the task queue, the same work for every address --------


def test_the_request_only_queues_a_task_for_a_known_and_an_unknown_address_alike(client):
    from staff.models import PasswordResetMail

    make_user("anna@example.org")
    ask_for_a_link(client, "anna@example.org", worker=False)
    ask_for_a_link(client, "niemand@example.org", worker=False)
    assert mail.outbox == [] and not PasswordResetMail.objects.exists()  # nothing looked up or sent yet
    tasks = DBTaskResult.objects.order_by("enqueued_at")
    assert [t.task_path for t in tasks] == ["staff.password_reset.send_password_reset_mail"] * 2
    assert [t.args_kwargs["kwargs"]["email"] for t in tasks] == ["anna@example.org", "niemand@example.org"]
    assert {t.args_kwargs["kwargs"]["domain"] for t in tasks} == {"testserver"}
    run_worker()
    assert [m.to for m in mail.outbox] == [["anna@example.org"]]
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_the_mail_is_in_the_language_of_the_request(client):
    make_user("anna@example.org", first_name="Anna")
    client.cookies["django_language"] = "en"
    ask_for_a_link(client, "anna@example.org")
    [message] = mail.outbox
    assert message.subject == "A new password for Attachment in view"
    assert message.body.startswith("Hello Anna,")


def test_two_tasks_at_once_for_one_address_send_one_mail():
    """Two requests at once: their tasks may run at once in two workers; the claim lets one mail go."""
    import threading

    from django.db import connection

    from staff.models import PasswordResetMail
    from staff.password_reset import send_password_reset_mail

    make_user("anna@example.org")
    start = threading.Barrier(2)

    def one_worker() -> None:
        try:
            start.wait()
            send_password_reset_mail.call(email="anna@example.org", domain="testserver", use_https=True, language="nl")
        finally:
            connection.close()

    workers = [threading.Thread(target=one_worker) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert len(mail.outbox) == 1 and PasswordResetMail.objects.count() == 1
    assert link_in(mail.outbox[0]).startswith("/wachtwoord-herstellen/")
    assert "https://testserver/wachtwoord-herstellen/" in mail.outbox[0].body


def rank_sum_z(first: list[float], second: list[float]) -> float:
    """The Mann-Whitney U of `first` against `second` as a z-score (normal approximation, average ranks
    for ties): near 0 when neither tends to be larger, about ±10.9 when one always is (80 against 80)."""
    pooled = sorted([(value, 0) for value in first] + [(value, 1) for value in second])
    ranks = [0.0] * len(pooled)
    start = 0
    while start < len(pooled):
        end = start
        while end + 1 < len(pooled) and pooled[end + 1][0] == pooled[start][0]:
            end += 1
        for index in range(start, end + 1):
            ranks[index] = (start + end) / 2 + 1
        start = end + 1
    n1, n2 = len(first), len(second)
    u = sum(rank for rank, (_, sample) in zip(ranks, pooled, strict=True) if sample == 0) - n1 * (n1 + 1) / 2
    return (u - n1 * n2 / 2) / math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12)


@pytest.mark.django_db  # no worker here: a plain test transaction
def test_rank_sum_z_separates_what_differs_and_not_what_does_not():
    assert rank_sum_z([1, 2, 3, 4], [5, 6, 7, 8]) == pytest.approx(-2.309, abs=0.001)
    assert rank_sum_z([5, 6, 7, 8], [1, 2, 3, 4]) == pytest.approx(2.309, abs=0.001)
    assert rank_sum_z([1, 4, 5, 8], [2, 3, 6, 7]) == 0
    assert rank_sum_z([1, 1, 2], [1, 2, 2]) == pytest.approx(-0.655, abs=0.001)  # ties share their ranks


@pytest.mark.django_db  # no worker here: a plain test transaction
def test_the_answer_takes_as_long_for_an_unknown_address_as_for_a_known_one(client):
    """Issue 19, item 2: a known address took 10.8 ms (median), an unknown one 4.0 ms: the mail went out
    inside the request. Now both only queue a task. 80 requests each, interleaved in a shuffled order
    (so that drift in the machine's load hits both alike), after a warm-up. On a busy machine single
    requests range from 2 to 12 ms either way, hence 80 and not 40: the medians then hold still."""
    make_user("anna@example.org", first_name="Anna")
    addresses = {"known": "anna@example.org", "unknown": "niemand@example.org"}
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    order = random.Random(19)
    for round_number in range(85):
        pair = ["known", "unknown"]
        order.shuffle(pair)
        for kind in pair:
            started = time.perf_counter()
            response = ask_for_a_link(client, addresses[kind], worker=False)
            elapsed = time.perf_counter() - started
            assert response.status_code == 302
            if round_number >= 5:  # the first rounds warm caches and connections
                timings[kind].append(elapsed)
    known, unknown = statistics.median(timings["known"]), statistics.median(timings["unknown"])
    z = rank_sum_z(timings["known"], timings["unknown"])
    summary = f"medians known {known * 1000:.2f} ms, unknown {unknown * 1000:.2f} ms, rank-sum z {z:.2f}"
    print(summary)
    assert max(known, unknown) / min(known, unknown) < 1.5, summary  # before: 2.7
    assert abs(z) < 4, summary  # two-sided p < 0.0001 by chance alone; before: z ≈ 10.9 (all apart)
    assert mail.outbox == []  # the requests sent nothing themselves
