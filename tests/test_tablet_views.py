"""The group tablet through the Django test client: registering a device, the group's screen, switching
user with a PIN or the password, locking (by hand and after idle minutes), the PIN page; and the
answers the entry form's local queue relies on (the connection check, JSON for a queued entry)."""

import time
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import RequestFactory
from django.urls import reverse

from devices import services
from devices.middleware import COOKIE_NAME, COOKIE_SALT, IDLE_GRACE_SECONDS, SESSION_SEEN, SESSION_TABLET
from devices.models import Pin, PinFailures, Tablet
from observations.models import Observation
from staff.models import Role
from tests import factories as f
from tests.observation_factories import entry_data

pytestmark = pytest.mark.django_db

HOME = "/tablet/"


def register(client, cast, group=None, name="Tablet Vlinders"):
    """The manager links this client's 'device' to a group, as on the tablet itself."""
    client.force_login(cast.manager)
    return client.post(reverse("tablet_register"), {"group": (group or cast.group_a).pk, "name": name})


@pytest.fixture
def tablet_client(client, cast):
    response = register(client, cast)
    assert response.status_code == 302
    return client


def unlock(client, user, pin="2580", **extra):
    return client.post(reverse("tablet_unlock", args=[user.pk]), {"pin": pin, **extra})


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


# --- registering ---------------------------------------------------------------------------------


def test_a_manager_links_the_device_and_is_logged_out(client, cast):
    client.force_login(cast.manager)
    page = client.get(reverse("tablet_register"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Koppel dit apparaat als groepstablet" in text
    assert "Groep A (Locatie Een)" in text and "Groep B (Locatie Een)" in text and "Groep C" not in text

    response = client.post(reverse("tablet_register"), {"group": cast.group_a.pk, "name": "Tablet Vlinders"})
    assert response.status_code == 302 and response["Location"] == HOME
    tablet = Tablet.objects.get()
    assert (tablet.group, tablet.name, tablet.registered_by) == (cast.group_a, "Tablet Vlinders", cast.manager)
    assert logged_in_user_id(client) is None  # the manager's session ended

    cookie = response.cookies[COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and int(cookie["max-age"]) > 365 * 24 * 3600
    # Signed: the stored hash belongs to the token inside, and a changed cookie names no tablet.
    request = RequestFactory().get("/", HTTP_COOKIE=f"{COOKIE_NAME}={cookie.coded_value}")
    token = request.get_signed_cookie(COOKIE_NAME, salt=COOKIE_SALT)
    assert services.token_hash(token) == tablet.token_hash
    screen = client.get(HOME)
    assert screen.status_code == 200 and "Dit apparaat is nu de groepstablet van Groep A." in screen.content.decode()


def test_the_cookie_is_secure_when_the_site_runs_on_https(client, cast, settings):
    settings.SESSION_COOKIE_SECURE = True
    response = register(client, cast)
    assert response.cookies[COOKIE_NAME]["secure"]


def test_a_tampered_or_unsigned_cookie_names_no_tablet(client, cast):
    _tablet, token = services.register_tablet(group=cast.group_a, name="A", by=cast.manager)
    client.cookies[COOKIE_NAME] = token  # the right token, but not signed by the server
    assert client.get(HOME).status_code == 404
    response = register(client, cast)
    signed = response.cookies[COOKIE_NAME].value
    client.cookies[COOKIE_NAME] = signed[:-1] + ("A" if signed[-1] != "A" else "B")
    page = client.get(HOME)
    assert page.status_code == 404 and "Dit apparaat is geen groepstablet" in page.content.decode()


@pytest.mark.parametrize("who", ["staff_a", "coach", "admin"])
def test_only_managers_reach_the_registration(client_for, cast, who):
    client = client_for(getattr(cast, who))
    assert client.get(reverse("tablet_register")).status_code == 404
    assert client.post(reverse("tablet_register"), {"group": cast.group_a.pk, "name": "x"}).status_code == 404
    assert not Tablet.objects.exists()


def test_a_manager_cannot_link_a_group_of_another_location(client, cast):
    client.force_login(cast.manager)
    response = client.post(reverse("tablet_register"), {"group": cast.group_c.pk, "name": "x"})
    assert response.status_code == 200 and not Tablet.objects.exists()
    assert COOKIE_NAME not in response.cookies


def test_a_manager_unlinks_a_tablet(client, cast):
    tablet, _token = services.register_tablet(group=cast.group_b, name="Tablet Rups", by=cast.manager)
    client.force_login(cast.manager)
    assert "Tablet Rups" in client.get(reverse("tablet_register")).content.decode()
    response = client.post(reverse("tablet_revoke", args=[tablet.pk]))
    assert response.status_code == 302
    tablet.refresh_from_db()
    assert tablet.revoked_at is not None
    assert client.post(reverse("tablet_revoke", args=[tablet.pk])).status_code == 404


def test_unlinking_needs_a_post_and_the_right_manager(client_for, cast):
    tablet, _token = services.register_tablet(group=cast.group_b, name="Tablet Rups", by=cast.manager)
    assert client_for(cast.manager).get(reverse("tablet_revoke", args=[tablet.pk])).status_code == 405
    assert client_for(cast.staff_b).post(reverse("tablet_revoke", args=[tablet.pk])).status_code == 404
    tablet.refresh_from_db()
    assert tablet.revoked_at is None


# --- the group's screen and switching --------------------------------------------------------------


def test_the_screen_shows_the_staff_of_the_group_only(tablet_client, cast):
    colleague = f.make_user("cor@example.test", first_name="Cor", last_name="Visser")
    f.add_membership(colleague, Role.STAFF, group=cast.group_a)
    text = tablet_client.get(HOME).content.decode()
    assert "Wie ben jij?" in text
    assert reverse("tablet_unlock", args=[cast.staff_a.pk]) in text
    assert reverse("tablet_unlock", args=[colleague.pk]) in text and "Cor Visser" in text
    for outsider in (cast.staff_b, cast.manager, cast.coach):
        assert reverse("tablet_unlock", args=[outsider.pk]) not in text
        assert tablet_client.get(reverse("tablet_unlock", args=[outsider.pk])).status_code == 404


def test_a_staff_member_switches_with_their_pin(tablet_client, cast):
    services.set_pin(cast.staff_a, "2580")
    page = tablet_client.get(reverse("tablet_unlock", args=[cast.staff_a.pk]))
    assert 'inputmode="numeric"' in page.content.decode() and "Hoi Anna" in page.content.decode()
    response = unlock(tablet_client, cast.staff_a)
    assert response.status_code == 302 and response["Location"] == reverse("group_detail", args=[cast.group_a.pk])
    assert logged_in_user_id(tablet_client) == str(cast.staff_a.pk)
    assert tablet_client.session[SESSION_TABLET] == Tablet.objects.get().pk
    text = tablet_client.get(response["Location"]).content.decode()
    assert "Vergrendelen" in text and "Uitloggen" not in text  # lock, not log out, on a tablet
    assert 'data-idle-seconds="300"' in text and "pages/tablet.js" in text


def test_wrong_pins_pause_then_ask_for_the_password_and_are_told_at_the_next_unlock(tablet_client, cast):
    services.set_pin(cast.staff_a, "2580")
    for _ in range(3):
        page = unlock(tablet_client, cast.staff_a, pin="1357")
        assert "Deze pincode klopt niet. Probeer het opnieuw." in page.content.decode()
    text = unlock(tablet_client, cast.staff_a, pin="1357").content.decode()
    assert "Deze pincode klopt niet." in text and "over 30 seconden opnieuw proberen" in text
    # During the pause the right PIN does not open; the page says how long to wait.
    text = unlock(tablet_client, cast.staff_a, pin="2580").content.decode()
    assert "over 30 seconden opnieuw proberen" in text and logged_in_user_id(tablet_client) is None
    assert "opnieuw proberen" in tablet_client.get(reverse("tablet_unlock", args=[cast.staff_a.pk])).content.decode()
    # Past the last pause, the seventh wrong PIN asks for the password on this tablet.
    PinFailures.objects.filter(user=cast.staff_a).update(failures=6, blocked_until=None)
    text = unlock(tablet_client, cast.staff_a, pin="1357").content.decode()
    assert (
        "Er is te vaak een verkeerde pincode voor jou ingevoerd op deze tablet." in text and 'name="password"' in text
    )
    unlock(tablet_client, cast.staff_a, pin="2580")
    assert logged_in_user_id(tablet_client) is None
    response = tablet_client.post(
        reverse("tablet_unlock", args=[cast.staff_a.pk]), {"mode": "password", "password": f.PASSWORD}
    )
    assert response.status_code == 302 and logged_in_user_id(tablet_client) == str(cast.staff_a.pk)
    told = tablet_client.get(response["Location"]).content.decode()
    assert "Er is 5 keer een verkeerde pincode voor jou ingevoerd op deze tablet sinds" in told
    assert not PinFailures.objects.exists()


def test_a_colleagues_wrong_pins_do_not_delay_me_and_i_am_told_of_mine(tablet_client, cast):
    colleague = f.make_user("cor@example.test", first_name="Cor")
    f.add_membership(colleague, Role.STAFF, group=cast.group_a)
    services.set_pin(cast.staff_a, "2580")
    services.set_pin(colleague, "4680")
    for _ in range(4):
        unlock(tablet_client, cast.staff_a, pin="1357")
    response = unlock(tablet_client, colleague, pin="4680")
    assert response.status_code == 302 and logged_in_user_id(tablet_client) == str(colleague.pk)
    assert "verkeerde pincode" not in tablet_client.get(response["Location"]).content.decode()
    tablet_client.post(reverse("tablet_lock"))
    PinFailures.objects.filter(user=cast.staff_a).update(blocked_until=None)
    response = unlock(tablet_client, cast.staff_a)
    assert logged_in_user_id(tablet_client) == str(cast.staff_a.pk)
    assert "Er is 4 keer een verkeerde pincode voor jou ingevoerd op deze tablet sinds" in (
        tablet_client.get(response["Location"]).content.decode()
    )


def test_without_a_pin_the_tablet_takes_the_password(tablet_client, cast):
    page = tablet_client.get(reverse("tablet_unlock", args=[cast.staff_a.pk]))
    text = page.content.decode()
    assert "Je hebt nog geen pincode." in text and 'name="password"' in text
    wrong = tablet_client.post(reverse("tablet_unlock", args=[cast.staff_a.pk]), {"password": "nope"})
    assert "Dit wachtwoord klopt niet." in wrong.content.decode() and logged_in_user_id(tablet_client) is None
    response = tablet_client.post(reverse("tablet_unlock", args=[cast.staff_a.pk]), {"password": f.PASSWORD})
    assert response.status_code == 302 and logged_in_user_id(tablet_client) == str(cast.staff_a.pk)
    assert tablet_client.session[SESSION_TABLET]
    assert "stel een pincode in" in tablet_client.get(response["Location"]).content.decode()


def test_another_staff_members_password_does_not_open_this_one(tablet_client, cast):
    colleague = f.make_user("cor@example.test", first_name="Cor")
    f.add_membership(colleague, Role.STAFF, group=cast.group_a)
    colleague.set_password("another password 123")
    colleague.save()
    tablet_client.post(reverse("tablet_unlock", args=[cast.staff_a.pk]), {"password": "another password 123"})
    assert logged_in_user_id(tablet_client) is None


def test_no_tablet_no_switching(client, cast):
    services.set_pin(cast.staff_a, "2580")
    response = unlock(client, cast.staff_a)
    assert response.status_code == 302 and response["Location"] == HOME
    assert logged_in_user_id(client) is None


# --- locking -------------------------------------------------------------------------------------


def test_locking_returns_to_the_screen_and_offers_the_same_person_their_page(tablet_client, cast):
    services.set_pin(cast.staff_a, "2580")
    unlock(tablet_client, cast.staff_a)
    form_url = reverse("observation_new", args=[cast.child_a.pk])
    response = tablet_client.post(reverse("tablet_lock"), {"next": form_url})
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == HOME
    assert parse_qs(location.query) == {"voor": [str(cast.staff_a.pk)], "next": [form_url]}
    assert logged_in_user_id(tablet_client) is None
    screen = tablet_client.get(response["Location"]).content.decode()
    assert screen.count("Verder waar je was") == 1
    # Back in with the PIN: straight to the form they were filling in.
    back = unlock(tablet_client, cast.staff_a, next=form_url)
    assert back["Location"] == form_url


def test_an_outside_address_is_never_a_place_to_go_back_to(tablet_client, cast):
    services.set_pin(cast.staff_a, "2580")
    back = unlock(tablet_client, cast.staff_a, next="https://elders.example/")
    assert back["Location"] == reverse("group_detail", args=[cast.group_a.pk])


def test_locking_needs_a_post(tablet_client):
    assert tablet_client.get(reverse("tablet_lock")).status_code == 405


def test_an_idle_tablet_session_locks_at_its_next_request(tablet_client, cast, settings):
    settings.TABLET_IDLE_MINUTES = 5
    services.set_pin(cast.staff_a, "2580")
    unlock(tablet_client, cast.staff_a)
    group_url = reverse("group_detail", args=[cast.group_a.pk])
    session = tablet_client.session
    session[SESSION_SEEN] = time.time() - 5 * 60 - IDLE_GRACE_SECONDS + 30  # not yet
    session.save()
    assert tablet_client.get(group_url).status_code == 200
    session = tablet_client.session
    session[SESSION_SEEN] = time.time() - 5 * 60 - IDLE_GRACE_SECONDS - 5
    session.save()
    response = tablet_client.get(group_url)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == HOME and parse_qs(location.query)["next"] == [group_url]
    assert logged_in_user_id(tablet_client) is None


def test_the_connection_check_keeps_an_active_tablet_session_open(tablet_client, cast, settings):
    settings.TABLET_IDLE_MINUTES = 1
    services.set_pin(cast.staff_a, "2580")
    unlock(tablet_client, cast.staff_a)
    session = tablet_client.session
    session[SESSION_SEEN] = time.time() - 50
    session.save()
    assert tablet_client.get(reverse("connection_check")).status_code == 204
    assert tablet_client.session[SESSION_SEEN] > time.time() - 5


def test_a_tablet_session_without_its_tablet_ends(tablet_client, cast):
    services.set_pin(cast.staff_a, "2580")
    unlock(tablet_client, cast.staff_a)
    del tablet_client.cookies[COOKIE_NAME]  # the session cookie copied to another device
    response = tablet_client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert logged_in_user_id(tablet_client) is None


def test_an_unlinked_tablet_ends_its_session(tablet_client, cast):
    services.set_pin(cast.staff_a, "2580")
    unlock(tablet_client, cast.staff_a)
    Tablet.objects.update(revoked_at="2020-01-01T00:00:00Z")
    assert tablet_client.get(reverse("home"))["Location"] == reverse("login")
    assert logged_in_user_id(tablet_client) is None


def test_an_ordinary_session_is_left_alone(client_for, cast):
    client = client_for(cast.staff_a)
    text = client.get(reverse("home")).content.decode()
    assert "Uitloggen" in text and "Vergrendelen" not in text and "pages/tablet.js" not in text


# --- the PIN page --------------------------------------------------------------------------------


def test_a_staff_member_sets_a_pin_after_their_password(client_for, cast):
    client = client_for(cast.staff_a)
    url = reverse("pin_settings")
    page = client.get(url).content.decode()
    assert "Mijn pincode voor de groepstablet" in page and "Je hebt nog geen pincode." in page
    wrong = client.post(url, {"password": "nope", "pin": "2580", "pin_again": "2580"})
    assert "Dit is niet je wachtwoord." in wrong.content.decode() and not Pin.objects.exists()
    differ = client.post(url, {"password": f.PASSWORD, "pin": "2580", "pin_again": "2590"})
    assert "De twee pincodes zijn niet gelijk." in differ.content.decode() and not Pin.objects.exists()
    easy = client.post(url, {"password": f.PASSWORD, "pin": "1234", "pin_again": "1234"})
    assert "niet makkelijk te raden" in easy.content.decode() and not Pin.objects.exists()
    short = client.post(url, {"password": f.PASSWORD, "pin": "258", "pin_again": "258"})
    assert "4 tot 6 cijfers" in short.content.decode() and not Pin.objects.exists()
    saved = client.post(url, {"password": f.PASSWORD, "pin": "2580", "pin_again": "2580"}, follow=True)
    assert "Je pincode is opgeslagen." in saved.content.decode() and "Je pincode werkt tot" in saved.content.decode()
    assert Pin.objects.get(user=cast.staff_a).pin_hash != "2580"
    removed = client.post(url, {"remove": "1"}, follow=True)
    assert "Je pincode is verwijderd." in removed.content.decode() and not Pin.objects.exists()


def test_the_pin_page_is_for_staff_members(client_for, cast):
    assert client_for(cast.manager).get(reverse("pin_settings")).status_code == 404
    assert 'href="/mijn-pincode/"' in client_for(cast.staff_a).get(reverse("home")).content.decode()


def test_the_manager_home_links_the_tablets(client_for, cast):
    assert reverse("tablet_register") in client_for(cast.manager).get(reverse("home")).content.decode()


# --- what the entry form's local queue relies on --------------------------------------------------


def test_the_connection_check_answers_204_and_nothing_else(client):
    assert client.get(reverse("connection_check")).status_code == 204
    assert client.head(reverse("connection_check")).status_code == 204
    assert client.post(reverse("connection_check")).status_code == 405
    assert "no-cache" in client.get(reverse("connection_check"))["Cache-Control"]


def test_a_queued_entry_is_told_in_json_and_saved_once_however_often_it_comes(client_for, cast):
    client = client_for(cast.staff_a)
    url = reverse("observation_new", args=[cast.child_a.pk])
    data = entry_data(cast.child_a, submission_key=str(uuid.uuid4()))
    first = client.post(url, data, headers={"X-Queued-Entry": "1"})
    assert first.status_code == 200 and first.json() == {"saved": True, "created": True}
    again = client.post(url, data, headers={"X-Queued-Entry": "1"})
    assert again.json() == {"saved": True, "created": False}
    assert Observation.objects.filter(child=cast.child_a).count() == 1
    # Nothing waits to be shown on a later page.
    assert "Waarneming van Sem opgeslagen" not in client.get(reverse("home")).content.decode()


def test_a_queued_entry_that_cannot_be_saved_gets_422_with_the_reasons(client_for, cast):
    client = client_for(cast.staff_a)
    url = reverse("observation_new", args=[cast.child_a.pk])
    response = client.post(url, entry_data(cast.child_a, date="2000-01-01"), headers={"X-Queued-Entry": "1"})
    assert response.status_code == 422
    body = response.json()
    assert body["saved"] is False and body["errors"]
    assert not Observation.objects.exists()


def test_the_ordinary_form_post_still_redirects(client_for, cast):
    client = client_for(cast.staff_a)
    response = client.post(reverse("observation_new", args=[cast.child_a.pk]), entry_data(cast.child_a))
    assert response.status_code == 302 and response["Location"] == reverse("group_detail", args=[cast.group_a.pk])


def test_the_entry_form_names_its_draft_and_only_a_new_entry_may_wait(client_for, cast):
    client = client_for(cast.staff_a)
    new = client.get(reverse("observation_new", args=[cast.child_a.pk])).content.decode()
    assert f'data-draft="new-{cast.child_a.pk}"' in new and "data-outbox" in new
    assert 'id="offline-texts"' in new and f'data-user="{cast.staff_a.pk}"' in new
    assert 'id="outbox-texts"' in new
    assert "Waarneming van {child} wacht op verbinding" in new
    assert "3 waarnemingen van Sem wachten op verbinding" in new.replace("{n}", "3").replace("{child}", "Sem")


def test_wrong_passwords_on_the_tablet_count_for_the_login_lockout(tablet_client, cast, settings):
    url = reverse("tablet_unlock", args=[cast.staff_a.pk])
    for _ in range(settings.AXES_FAILURE_LIMIT):
        tablet_client.post(url, {"mode": "password", "password": "wrong"})
    response = tablet_client.post(url, {"mode": "password", "password": f.PASSWORD})
    assert logged_in_user_id(tablet_client) is None
    # The tablet's own form says so (issue 19: every password field through staff.lockout).
    assert "Te veel verkeerde wachtwoorden." in response.content.decode()
