"""Sessions end after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after the login;
the next request goes to the login page, which says why in Dutch."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from staff.middleware import LOGIN_AT, SEEN_AT
from tests.factories import PASSWORD
from tests.observation_factories import entry_data

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
IDLE_MESSAGE = "Je was een tijd niet actief; log opnieuw in."
TOO_LONG_MESSAGE = "Je sessie was langer dan 12 uur open; log opnieuw in."


def set_clocks(client, *, login_ago: int, seen_ago: int) -> None:
    session = client.session
    now = int(time.time())
    session[LOGIN_AT] = now - login_ago
    session[SEEN_AT] = now - seen_ago
    session.save()


def goes_to_login(client, url: str, message: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert message in page.content.decode()
    # Logged out for real: the page still sends to the login, now without a message.
    again = client.get(url)
    assert again.status_code == 302
    assert message not in client.get(again["Location"]).content.decode()


def test_a_login_starts_both_clocks(cast, client):
    before = int(time.time())
    response = client.post(reverse("login"), {"username": "staff.a@example.test", "password": PASSWORD})
    assert response.status_code == 302
    session = client.session
    assert before <= session[LOGIN_AT] <= time.time() and session[SEEN_AT] == session[LOGIN_AT]


def test_an_idle_session_goes_to_the_login_page_with_the_reason(cast, client_for, settings):
    assert settings.SESSION_IDLE_MINUTES == 30
    client = client_for(cast.staff_a)
    set_clocks(client, login_ago=31 * 60, seen_ago=31 * 60)
    goes_to_login(client, reverse("group_detail", args=[cast.group_a.pk]), IDLE_MESSAGE)


def test_activity_within_the_idle_limit_keeps_the_session_and_moves_the_clock(cast, client_for):
    client = client_for(cast.staff_a)
    set_clocks(client, login_ago=3 * 3600, seen_ago=29 * 60)
    assert client.get(reverse("home")).status_code == 200
    assert client.session[SEEN_AT] >= time.time() - 5
    set_clocks(client, login_ago=3 * 3600, seen_ago=29 * 60)
    assert client.get(reverse("home")).status_code == 200  # another 29 minutes: still in


def test_a_session_open_longer_than_twelve_hours_ends_however_active(cast, client_for, settings):
    assert settings.SESSION_MAX_HOURS == 12
    client = client_for(cast.staff_a)
    set_clocks(client, login_ago=12 * 3600 - 60, seen_ago=10)
    assert client.get(reverse("home")).status_code == 200
    set_clocks(client, login_ago=12 * 3600 + 1, seen_ago=10)
    goes_to_login(client, reverse("home"), TOO_LONG_MESSAGE)


def test_the_limits_are_settings(cast, client_for, settings):
    settings.SESSION_IDLE_MINUTES = 5
    settings.SESSION_MAX_HOURS = 1
    client = client_for(cast.staff_a)
    set_clocks(client, login_ago=6 * 60, seen_ago=6 * 60)
    goes_to_login(client, reverse("home"), IDLE_MESSAGE)
    client = client_for(cast.staff_a)
    set_clocks(client, login_ago=3601, seen_ago=60)
    goes_to_login(client, reverse("home"), "Je sessie was langer dan 1 uur open; log opnieuw in.")


def test_an_expired_session_saves_no_form_but_keeps_it_for_the_password(cast, client_for):
    client = client_for(cast.staff_a)
    set_clocks(client, login_ago=3600, seen_ago=31 * 60)
    url = reverse("observation_new", args=[cast.child_a.pk])
    response = client.post(url, entry_data(cast.child_a))
    # Not the login page: the entry stays on a page that asks for the password (tests/test_signin_to_save.py).
    text = response.content.decode()
    assert response.status_code == 200 and "Je waarneming is nog niet opgeslagen." in text
    assert IDLE_MESSAGE in text
    assert not cast.child_a.observations.exists()


def test_an_expired_session_sends_other_posts_to_the_login_page(cast, client_for):
    client = client_for(cast.staff_a)
    set_clocks(client, login_ago=3600, seen_ago=31 * 60)
    response = client.post(reverse("pin_settings"), {"password": PASSWORD, "pin": "2580", "pin_again": "2580"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_session_from_before_the_limits_starts_its_clocks(cast, client_for):
    client = client_for(cast.staff_a)
    session = client.session
    del session[LOGIN_AT], session[SEEN_AT]
    session.save()
    assert client.get(reverse("home")).status_code == 200
    assert client.session[LOGIN_AT] >= time.time() - 5


def session_writes(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum(1 for q in queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"])


def test_the_activity_clock_is_written_at_most_once_a_minute(cast, client_for):
    client = client_for(cast.staff_a)
    assert session_writes(client, reverse("home")) == 0  # just logged in: nothing to save
    set_clocks(client, login_ago=3600, seen_ago=61)
    assert session_writes(client, reverse("home")) == 1
    assert session_writes(client, reverse("home")) == 0


def session_settings(**env) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SESSION_"))}
    environment.update({"DJANGO_SETTINGS_MODULE": "attachment_site.settings_test", **env})
    code = "from django.conf import settings; print(settings.SESSION_IDLE_MINUTES, settings.SESSION_MAX_HOURS)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_limits_come_from_the_environment():
    assert session_settings() == "30 12"
    assert session_settings(SESSION_IDLE_MINUTES="15", SESSION_MAX_HOURS="8") == "15 8"
