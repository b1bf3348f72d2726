"""Passkeys as the second step (issue 23, staff/passkeys.py): a manager, coach or admin chooses at the
first sign-in between an authenticator app and a passkey, gets the recovery codes either way, and signs in
with password and passkey from then on. The answers are real WebAuthn answers (tests/soft_passkey.py),
checked by the server as a browser's are: the challenge, the origin, the site, the signature, the sign
count, and whose passkey it is."""

import json
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff.models import Passkey, SecondFactorReset
from staff.second_factor import new_recovery_codes
from tests.factories import PASSWORD
from tests.soft_passkey import SoftPasskey, b64url

SECOND_STEP = reverse("second_step")
SETUP = reverse("second_step_setup")
PASSKEY_SETUP = reverse("second_step_passkey_setup")
NOT_WORKED = "Deze passkey werkte niet"
NOT_ADDED = "Deze passkey kon niet worden toegevoegd"


def options_of(response):
    page = response.content.decode()
    found = re.search(r'<script id="passkey-options" type="application/json">(.*?)</script>', page, re.S)
    assert found, "no passkey options on the page"
    return json.loads(found.group(1))


def sign_in_with_password(user, client=None):
    client = client or Client()
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()
    return client


def add_passkey(user, key=None, client=None):
    """Through the pages, as at the first sign-in: the passkey and the page that answers."""
    key = key or SoftPasskey()
    client = client or sign_in_with_password(user)
    options = options_of(client.get(PASSKEY_SETUP))
    response = client.post(PASSKEY_SETUP, {"name": "Mijn telefoon", "credential": key.create(options)})
    return key, response


def with_passkey(user):
    key, response = add_passkey(user)
    assert response.status_code == 200
    return key


def passkey_answer(client, key, **changes):
    options = options_of(client.get(SECOND_STEP))
    return client.post(SECOND_STEP, {"credential": key.get(options, **changes), "next": reverse("home")})


def test_the_first_sign_in_offers_a_passkey_beside_the_app(cast):
    client = sign_in_with_password(cast.manager)
    assert client.get(SECOND_STEP)["Location"].startswith(SETUP)
    setup = client.get(SETUP).content.decode()
    assert f'href="{PASSKEY_SETUP}?next=' in setup and "Liever een passkey" in setup
    page = client.get(PASSKEY_SETUP)
    assert page.status_code == 200 and "Passkey instellen" in page.content.decode()
    options = options_of(page)
    assert options["rp"] == {"id": "testserver", "name": "Gehechtheid in beeld"}
    assert options["user"]["name"] == cast.manager.email
    assert "js/passkey.js" in page.content.decode()


def test_a_manager_sets_up_a_passkey_gets_recovery_codes_and_signs_in_with_it(cast):
    client = sign_in_with_password(cast.manager)
    key, response = add_passkey(cast.manager, client=client)
    page = response.content.decode()
    assert "Je herstelcodes" in page
    codes = re.findall(r"<li>(\d{8})</li>", page)
    assert len(codes) == 10
    passkey = Passkey.objects.get(user=cast.manager)
    assert (passkey.name, passkey.transports, bytes(passkey.credential_id)) == (
        "Mijn telefoon",
        ["internal"],
        key.credential_id,
    )
    assert not TOTPDevice.objects.filter(user=cast.manager, confirmed=True).exists()
    assert client.get(reverse("home")).status_code == 200  # this sign-in is complete
    # The next sign-in asks for the passkey, and opens with it.
    later = sign_in_with_password(cast.manager)
    assert later.get(reverse("home"))["Location"].startswith(SECOND_STEP)
    step = later.get(SECOND_STEP)
    assert "Inloggen met je passkey" in step.content.decode()
    response = passkey_answer(later, key)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert later.get(reverse("home")).status_code == 200
    passkey.refresh_from_db()
    assert passkey.sign_count == 1 and passkey.last_used_at is not None
    # A recovery code works without an app too.
    other = sign_in_with_password(cast.manager)
    assert other.post(SECOND_STEP, {"code": codes[0]})["Location"] == reverse("home")


@pytest.mark.parametrize(
    "change",
    [
        {"challenge": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},  # another challenge
        {"origin": "https://evil.example"},
        {"rp_id": "evil.example"},
    ],
    ids=["wrong challenge", "wrong origin", "another site"],
)
def test_an_answer_to_another_question_adds_no_passkey(cast, change):
    client = sign_in_with_password(cast.coach)
    options = options_of(client.get(PASSKEY_SETUP))
    response = client.post(PASSKEY_SETUP, {"credential": SoftPasskey().create(options, **change)})
    assert response.status_code == 200 and NOT_ADDED in response.content.decode()
    assert not Passkey.objects.exists() and not StaticDevice.objects.exists()
    assert client.get(reverse("home"))["Location"].startswith(SECOND_STEP)  # still not signed in


def test_a_broken_answer_adds_nothing(cast):
    client = sign_in_with_password(cast.coach)
    client.get(PASSKEY_SETUP)
    for bad in ("", "{}", "not json", '{"id": 1}', "x" * 70_000):
        response = client.post(PASSKEY_SETUP, {"credential": bad})
        assert response.status_code == 200
    assert not Passkey.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"challenge": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
        {"origin": "https://evil.example"},
        {"rp_id": "evil.example"},
        {"sign_count": 0},  # not above the count the server saw last
    ],
    ids=["wrong challenge", "wrong origin", "another site", "old sign count"],
)
def test_a_wrong_passkey_answer_is_refused_in_dutch_and_counts_in_the_lockout(cast, change):
    key = with_passkey(cast.manager)
    client = sign_in_with_password(cast.manager)
    assert passkey_answer(client, key)["Location"] == reverse("home")  # sign count 1 now
    client = sign_in_with_password(cast.manager)
    response = passkey_answer(client, key, **change)
    assert response.status_code == 200 and NOT_WORKED in response.content.decode()
    assert AccessAttempt.objects.get(username=cast.manager.email).failures_since_start == 1
    assert client.get(reverse("home"))["Location"].startswith(SECOND_STEP)


def test_a_replayed_answer_is_refused(cast):
    key = with_passkey(cast.manager)
    client = sign_in_with_password(cast.manager)
    options = options_of(client.get(SECOND_STEP))
    answer = key.get(options)
    assert client.post(SECOND_STEP, {"credential": answer})["Location"] == reverse("home")
    # The same answer again, in a new sign-in: its challenge was used up (and its sign count seen).
    again = sign_in_with_password(cast.manager)
    again.get(SECOND_STEP)
    response = again.post(SECOND_STEP, {"credential": answer})
    assert response.status_code == 200 and NOT_WORKED in response.content.decode()
    # Even with the challenge of that page, the count is not above the last one: a copied key.
    options = options_of(again.get(SECOND_STEP))
    response = again.post(SECOND_STEP, {"credential": key.get(options, sign_count=1)})
    assert NOT_WORKED in response.content.decode()


def test_another_persons_passkey_does_not_open_this_account(cast):
    coach_key = with_passkey(cast.coach)
    with_passkey(cast.manager)
    client = sign_in_with_password(cast.manager)
    response = passkey_answer(client, coach_key)
    assert response.status_code == 200 and NOT_WORKED in response.content.decode()
    assert client.get(reverse("home"))["Location"].startswith(SECOND_STEP)


def test_the_same_passkey_cannot_be_added_to_another_account(cast):
    key = with_passkey(cast.coach)
    _, response = add_passkey(cast.manager, key=key)
    assert NOT_ADDED in response.content.decode()
    assert list(Passkey.objects.values_list("user", flat=True)) == [cast.coach.pk]


def test_wrong_passkey_answers_lock_out_like_wrong_passwords(cast, settings):
    key = with_passkey(cast.manager)
    client = sign_in_with_password(cast.manager)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = passkey_answer(client, key, origin="https://evil.example")
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    assert Client().post(reverse("login"), {"username": cast.manager.email, "password": PASSWORD}).status_code == 429


def test_a_removed_passkey_no_longer_opens_and_the_reset_is_logged(cast):
    key = with_passkey(cast.manager)
    client = sign_in_with_password(cast.manager)
    options = options_of(client.get(SECOND_STEP))
    admin = Client()
    admin.force_login(cast.admin)
    response = admin.post(
        reverse("admin:staff_user_changelist"), {"action": "reset_second_step", "_selected_action": [cast.manager.pk]}
    )
    assert response.status_code == 302
    assert not Passkey.objects.filter(user=cast.manager).exists()
    assert not StaticDevice.objects.filter(user=cast.manager).exists()
    assert SecondFactorReset.objects.get().reset_by == cast.admin
    assert LogEntry.objects.filter(object_id=str(cast.manager.pk), change_message="Tweede stap opnieuw ingesteld")
    # The answer of the passkey that was: refused (the person now sets up a new second step).
    response = client.post(SECOND_STEP, {"credential": key.get(options)})
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    assert client.get(reverse("home"))["Location"].startswith(SECOND_STEP)


def test_a_passkey_cannot_be_added_before_the_second_step_of_one_who_has_one(cast):
    with_passkey(cast.manager)
    client = sign_in_with_password(cast.manager)
    assert client.get(PASSKEY_SETUP)["Location"].startswith(SECOND_STEP)
    assert client.post(PASSKEY_SETUP, {"credential": "{}"})["Location"].startswith(SECOND_STEP)
    assert client.get(SETUP)["Location"].startswith(SECOND_STEP)  # nor an app beside the passkey
    assert Passkey.objects.filter(user=cast.manager).count() == 1


def test_a_passkey_added_later_from_the_account_page_keeps_the_codes(cast):
    app = TOTPDevice.objects.create(user=cast.coach, name="app", confirmed=True)
    codes = new_recovery_codes(cast.coach)
    client = Client()
    client.force_login(cast.coach)  # signed in completely (tests/conftest.py)
    assert f'href="{SETUP}"' in client.get(reverse("home")).content.decode()
    assert f'href="{PASSKEY_SETUP}?next=' in client.get(SETUP).content.decode()
    key, response = add_passkey(cast.coach, client=client)
    assert response.status_code == 302
    assert "Je passkey is toegevoegd" in client.get(response["Location"]).content.decode()
    assert StaticDevice.objects.get(user=cast.coach).token_set.count() == len(codes)
    # From then on either opens: the app's code or the passkey.
    later = sign_in_with_password(cast.coach)
    step = later.get(SECOND_STEP).content.decode()
    assert "Inloggen met je passkey" in step and "zes cijfers" in step
    assert passkey_answer(later, key)["Location"] == reverse("home")
    assert TOTPDevice.objects.get(pk=app.pk).confirmed


def test_the_relying_party_follows_the_settings(cast, settings):
    settings.ALLOWED_HOSTS = ["app.example.nl", "testserver"]
    settings.WEBAUTHN_RP_ID = "example.nl"
    settings.WEBAUTHN_ORIGINS = ["https://app.example.nl"]
    client = sign_in_with_password(cast.manager)
    options = options_of(client.get(PASSKEY_SETUP))
    assert options["rp"]["id"] == "example.nl"
    key = SoftPasskey(rp_id="example.nl", origin="http://testserver")
    refused = client.post(PASSKEY_SETUP, {"credential": key.create(options)})  # not a configured origin
    assert NOT_ADDED in refused.content.decode()
    options = options_of(client.get(PASSKEY_SETUP))
    key = SoftPasskey(rp_id="example.nl", origin="https://app.example.nl")
    assert "Je herstelcodes" in client.post(PASSKEY_SETUP, {"credential": key.create(options)}).content.decode()


def test_the_pages_may_use_passkeys(cast):
    client = sign_in_with_password(cast.manager)
    policy = client.get(PASSKEY_SETUP)["Permissions-Policy"]
    assert "publickey-credentials" not in policy and "camera=()" in policy


def test_a_removed_passkey_is_refused_while_another_still_opens(cast):
    old = with_passkey(cast.manager)
    client = Client()
    client.force_login(cast.manager)
    kept, response = add_passkey(cast.manager, client=client)
    assert response.status_code == 302 and Passkey.objects.filter(user=cast.manager).count() == 2
    Passkey.objects.get(credential_id=old.credential_id).delete()
    later = sign_in_with_password(cast.manager)
    options = options_of(later.get(SECOND_STEP))
    assert [item["id"] for item in options["allowCredentials"]] == [b64url(kept.credential_id)]
    response = passkey_answer(later, old)
    assert response.status_code == 200 and NOT_WORKED in response.content.decode()
    assert passkey_answer(later, kept)["Location"] == reverse("home")


def test_a_broken_sign_in_answer_is_refused_and_counted(cast):
    with_passkey(cast.manager)
    client = sign_in_with_password(cast.manager)
    for bad in ("", "{}", "not json", "x" * 70_000):
        client.get(SECOND_STEP)
        response = client.post(SECOND_STEP, {"credential": bad})
        assert response.status_code == 200 and NOT_WORKED in response.content.decode(), bad
    assert AccessAttempt.objects.get(username=cast.manager.email).failures_since_start == 4
    assert client.get(reverse("home"))["Location"].startswith(SECOND_STEP)


def _signed_in_completely(user, key):
    client = sign_in_with_password(user)
    assert passkey_answer(client, key)["Location"] == reverse("home")
    return client


def _remove(client, passkey):
    return client.post(reverse("second_step_passkey_remove", args=[passkey.pk]))


def test_a_person_removes_a_lost_passkey_and_it_no_longer_opens(cast):
    lost = with_passkey(cast.manager)
    client = _signed_in_completely(cast.manager, lost)
    kept, _ = add_passkey(cast.manager, client=client)
    lost_row, kept_row = Passkey.objects.filter(user=cast.manager).order_by("pk")
    page = client.get(PASSKEY_SETUP).content.decode()
    assert page.count('class="btn btn-sm btn-outline-danger">Verwijderen') == 2
    response = _remove(client, lost_row)
    assert response.status_code == 302 and response["Location"] == PASSKEY_SETUP
    assert "De passkey ‘Mijn telefoon’ is verwijderd." in client.get(PASSKEY_SETUP).content.decode()
    assert list(Passkey.objects.filter(user=cast.manager)) == [kept_row]
    later = sign_in_with_password(cast.manager)
    assert NOT_WORKED in passkey_answer(later, lost).content.decode()
    assert passkey_answer(later, kept)["Location"] == reverse("home")


def test_the_last_second_step_of_a_role_that_needs_one_stays(cast):
    key = with_passkey(cast.manager)
    client = _signed_in_completely(cast.manager, key)
    (only,) = Passkey.objects.filter(user=cast.manager)
    response = client.post(reverse("second_step_passkey_remove", args=[only.pk]), follow=True)
    assert "Deze passkey is je enige tweede stap" in response.content.decode()
    assert Passkey.objects.filter(pk=only.pk).exists()
    TOTPDevice.objects.create(user=cast.manager, name="app", confirmed=True)  # with an app beside it, it may go
    assert _remove(client, only).status_code == 302
    assert not Passkey.objects.filter(user=cast.manager).exists()


def test_nobody_removes_another_persons_passkey_or_before_the_second_step(cast):
    with_passkey(cast.coach)
    (theirs,) = Passkey.objects.filter(user=cast.coach)
    key = with_passkey(cast.manager)
    client = _signed_in_completely(cast.manager, key)
    assert _remove(client, theirs).status_code == 404
    assert client.get(reverse("second_step_passkey_remove", args=[theirs.pk])).status_code == 405
    (own,) = Passkey.objects.filter(user=cast.manager)
    TOTPDevice.objects.create(user=cast.manager, name="app", confirmed=True)
    pending = sign_in_with_password(cast.manager)  # the password only: the second step still to come
    assert _remove(pending, own).status_code == 403
    assert "Verwijderen" not in pending.get(PASSKEY_SETUP, follow=True).content.decode()
    assert Passkey.objects.filter(pk__in=[theirs.pk, own.pk]).count() == 2


def test_the_recovery_codes_go_with_the_last_second_step_of_one_who_needs_none(cast):
    """Group staff need no second step: removing their only passkey removes their recovery codes too, and
    a passkey added later comes with new codes, not with the old ones they may have thrown away."""
    key, response = add_passkey(cast.staff_a)
    old_codes = set(StaticDevice.objects.get(user=cast.staff_a).token_set.values_list("token", flat=True))
    assert len(old_codes) == 10 and all(code in response.content.decode() for code in old_codes)
    client = _signed_in_completely(cast.staff_a, key)
    (only,) = Passkey.objects.filter(user=cast.staff_a)
    page = client.post(reverse("second_step_passkey_remove", args=[only.pk]), follow=True).content.decode()
    assert "Dit was je enige tweede stap: bij het inloggen wordt nu geen tweede stap meer gevraagd" in page
    assert not Passkey.objects.filter(user=cast.staff_a).exists()
    assert not StaticDevice.objects.filter(user=cast.staff_a).exists()
    later = sign_in_with_password(cast.staff_a)
    assert later.get(reverse("home")).status_code == 200  # no second step asked any more
    _, again = add_passkey(cast.staff_a, client=later)
    new_codes = set(StaticDevice.objects.get(user=cast.staff_a).token_set.values_list("token", flat=True))
    assert len(new_codes) == 10 and not new_codes & old_codes
    assert all(code in again.content.decode() for code in new_codes)


def test_a_passkey_removed_beside_an_app_keeps_the_codes(cast):
    TOTPDevice.objects.create(user=cast.staff_a, name="app", confirmed=True)
    codes = new_recovery_codes(cast.staff_a)
    client = Client()
    client.force_login(cast.staff_a)
    add_passkey(cast.staff_a, client=client)
    (passkey,) = Passkey.objects.filter(user=cast.staff_a)
    page = client.post(reverse("second_step_passkey_remove", args=[passkey.pk]), follow=True).content.decode()
    assert "is verwijderd" in page and "enige tweede stap" not in page
    assert set(StaticDevice.objects.get(user=cast.staff_a).token_set.values_list("token", flat=True)) == set(codes)
