"""Issue 19, item 1: every field that asks for a password goes through the login's lockout (django-axes,
staff.lockout.check_own_password). Thirty wrong passwords on the PIN page, then the right one, set a PIN;
the same on the password change changed the password: anyone at an unlocked tablet could guess a
colleague's password without limit. Now failures count per person at an address and per address,
together with the login's, and a locked-out form refuses even the right password in Dutch."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from devices import services
from devices.models import Pin
from staff.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db

TABLET_ADDRESS = "192.0.2.40"
ELSEWHERE = "198.51.100.7"
NEW_PASSWORD = "een-nieuw-lang-wachtwoord-42"
LOCKED_TEXT = "Te veel verkeerde wachtwoorden. Om je account te beschermen weigert de app je wachtwoord hier"
GUESSES = [f"gok-{n}" for n in range(30)]


def signed_in(user, address=TABLET_ADDRESS):
    client = Client(REMOTE_ADDR=address)
    client.force_login(user)
    return client


def set_pin(client, password):
    return client.post(reverse("pin_settings"), {"password": password, "pin": "2580", "pin_again": "2580"})


def change_password(client, old_password, url=None):
    data = {"old_password": old_password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    return client.post(url or reverse("password_change"), data)


def log_in(user, password=f.PASSWORD, address=TABLET_ADDRESS):
    return Client(REMOTE_ADDR=address).post(reverse("login"), {"username": user.email, "password": password})


def texts(responses):
    return [response.content.decode() for response in responses]


def assert_locked_after_five(pages, wrong_text):
    """The first four wrong passwords are wrong; the fifth locks, and so does every one after it."""
    assert all(wrong_text in page and LOCKED_TEXT not in page for page in pages[:4])
    assert all(LOCKED_TEXT in page for page in pages[4:])


def test_problem_the_pin_page_no_longer_takes_thirty_guesses(cast, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    client = signed_in(cast.staff_a)
    pages = texts(set_pin(client, guess) for guess in GUESSES)
    assert_locked_after_five(pages, "Dit is niet je wachtwoord.")
    right = set_pin(client, f.PASSWORD)
    assert right.status_code == 200 and LOCKED_TEXT in right.content.decode()
    assert not Pin.objects.exists()
    # axes counted every failure under the person's address at this client address, as for the login
    # (a failure during the lockout counts, and starts the cool-off again: AXES_RESET_COOL_OFF_ON_FAILURE...)...
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == (
        cast.staff_a.email,
        TABLET_ADDRESS,
        len(GUESSES) + 1,
    )
    # ...so the login is locked too, here; from elsewhere the person sets their PIN.
    assert log_in(cast.staff_a).status_code == 429
    assert set_pin(signed_in(cast.staff_a, ELSEWHERE), f.PASSWORD).status_code == 302
    assert Pin.objects.filter(user=cast.staff_a).exists()


def test_problem_the_password_change_no_longer_takes_thirty_guesses(cast):
    client = signed_in(cast.staff_b)
    pages = texts(change_password(client, guess) for guess in GUESSES)
    assert_locked_after_five(pages, "Dit is niet je huidige wachtwoord.")
    right = change_password(client, f.PASSWORD)
    assert right.status_code == 200 and LOCKED_TEXT in right.content.decode()
    cast.staff_b.refresh_from_db()
    assert cast.staff_b.check_password(f.PASSWORD) and not cast.staff_b.check_password(NEW_PASSWORD)
    assert log_in(cast.staff_b).status_code == 429
    assert log_in(cast.staff_b, address=ELSEWHERE).status_code == 302


def test_the_admin_sites_password_change_is_throttled_as_well(cast):
    client = signed_in(cast.admin)
    url = reverse("admin:password_change")
    assert url == "/beheer/password_change/"
    pages = texts(change_password(client, guess, url) for guess in GUESSES[:8])
    assert_locked_after_five(pages, "Dit is niet je huidige wachtwoord.")
    right = change_password(client, f.PASSWORD, url)
    assert right.status_code == 200 and LOCKED_TEXT in right.content.decode()
    cast.admin.refresh_from_db()
    assert not cast.admin.check_password(NEW_PASSWORD)
    # Below the limit the admin's page still changes the password and goes to the admin's done page.
    other = signed_in(cast.admin, ELSEWHERE)
    done = change_password(other, f.PASSWORD, url)
    assert done.status_code == 302 and done["Location"] == reverse("admin:password_change_done")
    cast.admin.refresh_from_db()
    assert cast.admin.check_password(NEW_PASSWORD)


@pytest.fixture
def tablet(cast):
    """A tablet of group A at TABLET_ADDRESS, registered by the manager on the device itself."""
    client = Client(REMOTE_ADDR=TABLET_ADDRESS)
    client.force_login(cast.manager)
    assert client.post(reverse("tablet_register"), {"group": cast.group_a.pk, "name": "Tablet"}).status_code == 302
    return client


def unlock_with_password(tablet, user, password):
    return tablet.post(reverse("tablet_unlock", args=[user.pk]), {"mode": "password", "password": password})


def test_the_tablets_password_unlock_says_so_in_its_form_when_locked(tablet, cast):
    pages = texts(unlock_with_password(tablet, cast.staff_a, guess) for guess in GUESSES)
    assert_locked_after_five(pages, "Dit wachtwoord klopt niet.")
    right = unlock_with_password(tablet, cast.staff_a, f.PASSWORD)
    assert right.status_code == 200 and LOCKED_TEXT in right.content.decode()
    assert 'name="password"' in right.content.decode()  # the tablet's own page, not a dead end
    assert tablet.session.get("_auth_user_id") is None


def test_password_fields_and_the_login_share_one_count(cast):
    client = signed_in(cast.staff_a)
    set_pin(client, "fout-1")
    set_pin(client, "fout-2")
    change_password(client, "fout-3")
    change_password(client, "fout-4")
    assert log_in(cast.staff_a, "fout-5").status_code == 429  # the fifth failure, at the login
    assert LOCKED_TEXT in set_pin(client, f.PASSWORD).content.decode()
    assert not Pin.objects.exists()


def test_one_address_guessing_several_colleagues_is_throttled(tablet, cast, settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 6
    colleagues = [f.make_user(f"collega{n}@example.test", first_name=f"Collega {n}") for n in range(2)]
    for colleague in colleagues:
        f.add_membership(colleague, Role.STAFF, group=cast.group_a)
    # Three wrong passwords each, below each person's own limit of five: the sixth failure of the address locks.
    pages = texts(unlock_with_password(tablet, colleague, guess) for colleague in colleagues for guess in GUESSES[:3])
    assert all("Dit wachtwoord klopt niet." in page for page in pages[:5]) and LOCKED_TEXT in pages[5]
    # Now nobody's password is taken from this address, not even the right one, on any password field.
    assert LOCKED_TEXT in unlock_with_password(tablet, cast.staff_a, f.PASSWORD).content.decode()
    assert LOCKED_TEXT in set_pin(signed_in(cast.staff_b), f.PASSWORD).content.decode()
    assert log_in(cast.staff_b).status_code == 429
    assert set_pin(signed_in(cast.staff_b, ELSEWHERE), f.PASSWORD).status_code == 302


def test_the_right_password_clears_the_persons_own_failures(cast):
    client = signed_in(cast.staff_a)
    for guess in GUESSES[:4]:
        set_pin(client, guess)
    assert set_pin(client, f.PASSWORD).status_code == 302  # as a login does (AXES_RESET_ON_SUCCESS)
    assert not AccessAttempt.objects.exists()
    for guess in GUESSES[:4]:
        change_password(client, guess)
    assert change_password(client, f.PASSWORD).status_code == 302


def test_axes_keeps_no_password_nor_pin_of_a_failed_request(tablet, cast):
    set_pin(signed_in(cast.staff_a), "geheim-fout-1")
    change_password(signed_in(cast.staff_b), "geheim-fout-2")
    unlock_with_password(tablet, cast.staff_a, "geheim-fout-3")
    kept = "\n".join(AccessAttempt.objects.values_list("post_data", flat=True))
    assert kept.count("old_password=****") == 1 and kept.count("password=****") == 3
    for secret in ("geheim-fout", "2580", NEW_PASSWORD):
        assert secret not in kept


def test_the_pin_page_still_sets_a_pin_with_the_right_password(cast):
    response = set_pin(signed_in(cast.staff_a), f.PASSWORD)
    assert response.status_code == 302
    assert services.pin_status(cast.staff_a).has_pin


def test_the_admin_login_is_throttled_as_the_app_login(cast):
    """A guard: the admin's login form authenticates through axes already."""
    url = reverse("admin:login")
    for guess in GUESSES[:5]:
        Client(REMOTE_ADDR=TABLET_ADDRESS).post(url, {"username": cast.admin.email, "password": guess})
    right = Client(REMOTE_ADDR=TABLET_ADDRESS).post(url, {"username": cast.admin.email, "password": f.PASSWORD})
    assert right.status_code == 429
