"""A save that meets an ended session (idle timeout, a locked tablet, no session at all) keeps what was
sent: a page asks for the PIN or password in place and then saves it, exactly once
(pages/signin_to_save.py), through the Django test client and the real database."""

import time

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from devices import services
from devices.middleware import IDLE_GRACE_SECONDS, SESSION_SEEN, SESSION_TABLET
from observations.models import Observation
from staff.middleware import LOGIN_AT, SEEN_AT
from staff.models import Role
from tests import factories as f
from tests.observation_factories import entry_data, make_observation

pytestmark = pytest.mark.django_db

NOT_SAVED = "Je waarneming is nog niet opgeslagen."
NOTE = "Viel bij het buitenspelen en bleef stil zitten."


def carried(page_text: str, data: dict) -> None:
    """Every field sent is in the page, as a hidden input."""
    for name, value in data.items():
        assert f'<input type="hidden" name="{name}" value="{value}">' in page_text


def resend(client, url, data, **signin):
    """The page's form: what was sent, with the page's own fields."""
    return client.post(url, {**data, **{f"signin-{k}": v for k, v in signin.items()}, "signin-submit": "1"})


@pytest.fixture
def expired(client, cast):
    client.force_login(cast.staff_a)
    session = client.session
    now = int(time.time())
    session[LOGIN_AT], session[SEEN_AT] = now - 3600, now - 31 * 60
    session.save()
    return client


def test_an_entry_after_the_session_timed_out_is_kept_and_saved_once_after_the_password(expired, cast):
    url = reverse("observation_new", args=[cast.child_a.pk])
    data = entry_data(cast.child_a)
    page = expired.post(url, data)
    text = page.content.decode()
    assert page.status_code == 200 and NOT_SAVED in text and "log opnieuw in, dan wordt hij meteen opgeslagen" in text
    carried(text, data)
    assert 'name="signin-password"' in text and 'name="signin-email"' not in text  # the person is known
    assert not Observation.objects.exists()

    wrong = resend(expired, url, data, user=cast.staff_a.pk, mode="password", password="not it")
    assert NOT_SAVED in wrong.content.decode() and "Dit wachtwoord klopt niet." in wrong.content.decode()
    assert not Observation.objects.exists()
    # django-axes counted the wrong password, and kept nothing of the entry.
    attempt = AccessAttempt.objects.get()
    assert attempt.failures_since_start == 1 and NOTE not in attempt.post_data and "kind_" not in attempt.post_data

    response = resend(expired, url, data, user=cast.staff_a.pk, mode="password", password=f.PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("group_detail", args=[cast.group_a.pk])
    assert expired.session["_auth_user_id"] == str(cast.staff_a.pk)
    assert "Waarneming van Sem opgeslagen." in expired.get(response["Location"]).content.decode()
    observation = Observation.objects.get()
    assert observation.observer == cast.staff_a and observation.ratings.get().note == NOTE
    assert observation.history.earliest().history_user == cast.staff_a
    # The same page sent again (a double tap, the back button): the submission key saves nothing more.
    again = expired.post(url, data)
    assert again.status_code == 302 and Observation.objects.count() == 1


def test_without_a_known_person_the_page_asks_for_the_e_mail_address_too(client, cast):
    url = reverse("observation_new", args=[cast.child_a.pk])
    data = entry_data(cast.child_a)
    text = client.post(url, data).content.decode()
    assert NOT_SAVED in text and 'name="signin-email"' in text and 'name="signin-user"' not in text
    wrong = resend(client, url, data, mode="login", email=cast.staff_b.email, password="nope")
    assert "Dit e-mailadres en wachtwoord horen niet bij elkaar." in wrong.content.decode()
    response = resend(client, url, data, mode="login", email=cast.staff_a.email.upper(), password=f.PASSWORD)
    assert response.status_code == 302 and Observation.objects.get().observer == cast.staff_a


def test_someone_who_may_not_log_the_child_saves_nothing(client, cast):
    url = reverse("observation_new", args=[cast.child_a.pk])
    data = entry_data(cast.child_a)
    response = resend(client, url, data, mode="login", email=cast.coach.email, password=f.PASSWORD)
    assert response.status_code == 404 and not Observation.objects.exists()


def test_a_get_and_a_queued_resend_without_a_session_still_go_to_the_login_page(client, cast):
    url = reverse("observation_new", args=[cast.child_a.pk])
    assert client.get(url)["Location"].startswith(reverse("login"))
    queued = client.post(url, entry_data(cast.child_a), HTTP_X_QUEUED_ENTRY="1")
    assert queued.status_code == 302 and queued["Location"].startswith(reverse("login"))
    assert not Observation.objects.exists()


# --- on the group tablet ---------------------------------------------------------------------------


@pytest.fixture
def locked_tablet(client, cast):
    """Anna unlocked the tablet with her PIN and left it idle past the lock."""
    client.force_login(cast.manager)
    client.post(reverse("tablet_register"), {"group": cast.group_a.pk, "name": "Tablet"})
    services.set_pin(cast.staff_a, "2580")
    client.post(reverse("tablet_unlock", args=[cast.staff_a.pk]), {"pin": "2580"})
    session = client.session
    session[SESSION_SEEN] = time.time() - 5 * 60 - IDLE_GRACE_SECONDS - 5
    session.save()
    return client


def test_an_entry_on_a_locked_tablet_is_saved_once_after_the_pin(locked_tablet, cast):
    url = reverse("observation_new", args=[cast.child_a.pk])
    data = entry_data(cast.child_a)
    page = locked_tablet.post(url, data)
    text = page.content.decode()
    assert page.status_code == 200 and NOT_SAVED in text and "De tablet was vergrendeld" in text
    assert "Je logt in als Anna" in text and 'name="signin-pin"' in text
    carried(text, data)
    assert locked_tablet.session.get("_auth_user_id") is None and not Observation.objects.exists()

    wrong = resend(locked_tablet, url, data, user=cast.staff_a.pk, mode="pin", pin="1357")
    assert "Deze pincode klopt niet." in wrong.content.decode() and not Observation.objects.exists()
    response = resend(locked_tablet, url, data, user=cast.staff_a.pk, mode="pin", pin="2580")
    assert response.status_code == 302 and Observation.objects.get().observer == cast.staff_a
    assert locked_tablet.session[SESSION_TABLET]  # a tablet session again, which locks when idle
    told = locked_tablet.get(response["Location"]).content.decode()
    assert "Waarneming van Sem opgeslagen." in told and "1 keer een verkeerde pincode" in told
    assert locked_tablet.post(url, data).status_code == 302 and Observation.objects.count() == 1


def test_on_the_tablet_the_password_can_stand_in_for_the_pin(locked_tablet, cast):
    url = reverse("observation_new", args=[cast.child_a.pk])
    data = entry_data(cast.child_a)
    locked_tablet.post(url, data)
    switched = locked_tablet.post(
        url, {**data, "signin-user": cast.staff_a.pk, "signin-mode": "pin", "signin-use-password": "1"}
    )
    assert 'name="signin-password"' in switched.content.decode() and not Observation.objects.exists()
    response = resend(locked_tablet, url, data, user=cast.staff_a.pk, mode="password", password=f.PASSWORD)
    assert response.status_code == 302 and Observation.objects.count() == 1


def test_a_colleagues_pin_does_not_save_someone_elses_entry(locked_tablet, cast):
    colleague = f.make_user("cor@example.test", first_name="Cor")
    f.add_membership(colleague, Role.STAFF, group=cast.group_a)
    services.set_pin(colleague, "4680")
    url = reverse("observation_new", args=[cast.child_a.pk])
    data = entry_data(cast.child_a)
    locked_tablet.post(url, data)
    refused = resend(locked_tablet, url, data, user=cast.staff_a.pk, mode="pin", pin="4680")
    assert NOT_SAVED in refused.content.decode() and not Observation.objects.exists()


def test_a_change_after_the_tablet_locked_is_kept_too(locked_tablet, cast):
    observation = make_observation(cast.child_a, cast.staff_a)
    url = reverse("observation_edit", args=[observation.pk])
    data = entry_data(cast.child_a, submission_key=None, version=str(observation.version), note="Later aangevuld.")
    page = locked_tablet.post(url, data)
    assert NOT_SAVED in page.content.decode()
    response = resend(locked_tablet, url, data, user=cast.staff_a.pk, mode="pin", pin="2580")
    assert response.status_code == 302
    observation.refresh_from_db()
    assert observation.note == "Later aangevuld." and observation.version == 2


def test_when_the_connection_check_ended_the_session_first_the_form_names_its_person(locked_tablet, cast):
    """The entry form asks /verbinding/ before it posts; that request already ends the idle session, so
    the POST arrives signed out. The form's own hidden field names whose PIN to ask for."""
    assert locked_tablet.get(reverse("connection_check")).status_code == 302
    assert locked_tablet.session.get("_auth_user_id") is None
    url = reverse("observation_new", args=[cast.child_a.pk])
    data = {**entry_data(cast.child_a), "signin-user": str(cast.staff_a.pk)}
    text = locked_tablet.post(url, data).content.decode()
    assert NOT_SAVED in text and "Je logt in als Anna" in text and 'name="signin-pin"' in text
    assert text.count('name="signin-user"') == 1  # not carried twice
    assert 'data-key="draft:v1:' not in text  # no draft named by the form: no script for it
    response = resend(locked_tablet, url, data, pin="2580")
    assert response.status_code == 302 and Observation.objects.get().observer == cast.staff_a


def test_the_entry_form_names_its_person(client, cast):
    client.force_login(cast.staff_a)
    text = client.get(reverse("observation_new", args=[cast.child_a.pk])).content.decode()
    assert f'<input type="hidden" name="signin-user" value="{cast.staff_a.pk}">' in text


def test_the_page_keeps_the_draft_of_the_form_it_holds(locked_tablet, cast):
    url = reverse("observation_new", args=[cast.child_a.pk])
    data = {**entry_data(cast.child_a), "signin-draft": f"new-{cast.child_a.pk}"}
    text = locked_tablet.post(url, data).content.decode()
    tablet_pk = locked_tablet.session.get("devices_tablet") or services.managed_tablets(cast.manager).get().pk
    key = f"draft:v2:t{tablet_pk}:{cast.staff_a.pk}:new-{cast.child_a.pk}"
    assert f'data-key="{key}" data-storage="localStorage"' in text and "pages/draft_keep.js" in text
    odd = locked_tablet.post(url, {**data, "signin-draft": "new-1:x"}).content.decode()
    assert "draft_keep.js" not in odd


def test_off_a_tablet_a_posted_name_is_not_taken(client, cast):
    """Anyone may post a user's id; off a tablet the page neither names that person nor asks for their
    password alone: it asks for the e-mail address too."""
    url = reverse("observation_new", args=[cast.child_a.pk])
    data = {**entry_data(cast.child_a), "signin-user": str(cast.staff_b.pk)}
    text = client.post(url, data).content.decode()
    assert NOT_SAVED in text and cast.staff_b.first_name not in text and 'name="signin-email"' in text
    refused = resend(client, url, data, mode="password", password=f.PASSWORD)
    assert 'name="signin-email"' in refused.content.decode() and not Observation.objects.exists()


def test_after_the_connection_check_ended_the_session_the_page_still_knows_the_person(expired, cast):
    """Off a tablet the connection check ends the timed-out session first; the signed-out session keeps
    whose it was, so the save asks for that person's password, not for an e-mail address."""
    assert expired.get(reverse("connection_check")).status_code == 302
    url = reverse("observation_new", args=[cast.child_a.pk])
    data = entry_data(cast.child_a)
    text = expired.post(url, data).content.decode()
    assert "Je logt in als" in text and 'name="signin-password"' in text and 'name="signin-email"' not in text
    response = resend(expired, url, data, mode="password", password=f.PASSWORD)
    assert response.status_code == 302 and Observation.objects.get().observer == cast.staff_a
    assert "staff_signed_out_user" not in expired.session
