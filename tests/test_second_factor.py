"""The second factor at sign-in (issue 23): everyone whose role reaches more than one group (managers,
coaches, admins) passes a second step after the password: a code from an authenticator app, or a
recovery code. Until then no page of the site answers. Staff of one group may set it up; a shared
group tablet keeps its PIN. These tests sign in through the login form, as a person does."""

import base64
import re
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from devices import services as tablets
from staff.models import ROLE_RULES, Role, SecondFactorReset
from staff.second_factor import new_recovery_codes
from tests.factories import PASSWORD, add_membership, make_user

SECOND_STEP = reverse("second_step")
SETUP = reverse("second_step_setup")
WRONG_CODE_TEXT = "Deze code klopt niet"


def code_of(device, *, later=0):
    """The code the person's app shows now (`later` steps on, within the device's tolerance)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + later * device.step
    return f"{totp.token():0{device.digits}d}"


def code_from_secret(secret_in_letters):
    totp = TOTP(base64.b32decode(secret_in_letters.replace(" ", "")))
    totp.time = time.time()
    return f"{totp.token():06d}"


def with_app(user):
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def sign_in_with_password(user, client=None):
    client = client or Client()
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()
    return client


def page_urls(cast):
    return {
        "home": reverse("home"),
        "child page": reverse("child_detail", args=[cast.child_a.pk]),
        "PDF": reverse("child_summary_pdf", args=[cast.child_a.pk]),
        "administration": "/beheer/",
        "group overview CSV": reverse("group_overview_csv", args=[cast.group_a.pk]),
        "export download": "/exporten/00000000-0000-0000-0000-000000000000/download/",
        "progress JSON": "/exporten/00000000-0000-0000-0000-000000000000/voortgang.json",
        "password change": reverse("password_change"),
    }


def test_the_rule_is_the_reach_of_the_role_not_its_name():
    assert {role for role, rule in ROLE_RULES.items() if rule.needs_second_factor} == {
        Role.MANAGER,
        Role.COACH,
        Role.ADMIN,
        Role.CONSULTANT,  # a bemiddelingsmedewerker reaches several gastouders' homes
    }


def test_a_manager_reaches_nothing_after_the_password_but_the_second_step(cast):
    with_app(cast.manager)
    client = sign_in_with_password(cast.manager)
    for family, url in page_urls(cast).items():
        response = client.get(url)
        assert response.status_code == 302, family
        assert response["Location"].startswith(SECOND_STEP + "?next="), family
    # Anything but a GET is refused outright.
    posted = client.post(reverse("child_detail", args=[cast.child_a.pk]), {})
    assert posted.status_code == 403 and "tweede stap" in posted.content.decode()
    page = client.get(SECOND_STEP)
    assert page.status_code == 200 and "Tweede stap" in page.content.decode()
    # The logout stays open.
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_with_the_right_code_every_page_opens(cast):
    app = with_app(cast.manager)
    client = sign_in_with_password(cast.manager)
    child = reverse("child_detail", args=[cast.child_a.pk])
    response = client.post(SECOND_STEP, {"code": code_of(app), "next": child})
    assert response.status_code == 302 and response["Location"] == child
    assert client.get(child).status_code == 200
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("child_summary_pdf", args=[cast.child_a.pk]))["Content-Type"] == "application/pdf"
    assert client.get(reverse("group_overview_csv", args=[cast.group_a.pk])).status_code == 200


def test_a_wrong_code_is_refused_in_dutch_and_counts_in_the_lockout(cast, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # only the lockout's count here
    app = with_app(cast.manager)
    client = sign_in_with_password(cast.manager)
    right = code_of(app)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(SECOND_STEP, {"code": wrong})
    assert response.status_code == 200 and WRONG_CODE_TEXT in response.content.decode()
    assert AccessAttempt.objects.get(username=cast.manager.email).failures_since_start == 1
    assert client.get(reverse("home")).status_code == 302
    # Up to the lockout's limit: then the person is signed out, and the right code is refused too.
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(SECOND_STEP, {"code": wrong})
    assert response.status_code == 429  # the login lockout's own page (django-axes), signed out
    assert "_auth_user_id" not in client.session
    again = Client().post(reverse("login"), {"username": cast.manager.email, "password": PASSWORD})
    assert again.status_code == 429  # the password is refused now too


def test_the_apps_own_throttle_pauses_after_a_wrong_code(cast):
    app = with_app(cast.manager)
    client = sign_in_with_password(cast.manager)
    client.post(SECOND_STEP, {"code": "000000" if code_of(app) != "000000" else "111111"})
    response = client.post(SECOND_STEP, {"code": code_of(app)})
    assert "Wacht even" in response.content.decode()


def test_a_recovery_code_works_once(cast):
    with_app(cast.coach)
    codes = new_recovery_codes(cast.coach)
    assert len(codes) == 10 and len(set(codes)) == 10
    client = sign_in_with_password(cast.coach)
    assert client.post(SECOND_STEP, {"code": codes[0]})["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    again = sign_in_with_password(cast.coach)
    response = again.post(SECOND_STEP, {"code": codes[0]})
    assert response.status_code == 200 and WRONG_CODE_TEXT in response.content.decode()
    assert StaticDevice.objects.get(user=cast.coach).token_set.count() == 9


@pytest.mark.parametrize("who", ["coach", "admin"])
def test_the_first_sign_in_sets_up_the_app(cast, who):
    user = getattr(cast, who)
    client = sign_in_with_password(user)
    assert client.get(reverse("home"))["Location"].startswith(SECOND_STEP)
    assert client.get(SECOND_STEP)["Location"].startswith(SETUP)
    page = client.get(SETUP).content.decode()
    assert "Tweede stap instellen" in page and "<svg" in page
    secret = re.search(r'id="second-step-secret">([A-Z2-7 ]+)<', page).group(1)
    wrong = client.post(SETUP, {"code": "12345"})
    assert WRONG_CODE_TEXT in wrong.content.decode()
    done = client.post(SETUP, {"code": code_from_secret(secret)})
    codes_page = done.content.decode()
    assert "Je herstelcodes" in codes_page
    codes = re.findall(r"<li>(\d{8})</li>", codes_page)
    assert len(codes) == 10
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get(reverse("home")).status_code == 200


def test_a_second_app_cannot_be_set_up_before_the_second_step(cast):
    with_app(cast.manager)
    client = sign_in_with_password(cast.manager)
    assert client.get(SETUP)["Location"].startswith(SECOND_STEP)
    assert client.post(SETUP, {"code": "123456"})["Location"].startswith(SECOND_STEP)
    assert TOTPDevice.objects.filter(user=cast.manager).count() == 1


def test_staff_are_not_asked_but_may_set_it_up(cast):
    client = sign_in_with_password(cast.staff_a)
    assert client.get(reverse("home")).status_code == 200
    home = client.get(reverse("home")).content.decode()
    assert f'href="{SETUP}"' in home
    page = client.get(SETUP).content.decode()
    secret = re.search(r'id="second-step-secret">([A-Z2-7 ]+)<', page).group(1)
    assert "Je herstelcodes" in client.post(SETUP, {"code": code_from_secret(secret)}).content.decode()
    # Set up: from the next sign-in on, the staff member is asked too.
    later = sign_in_with_password(cast.staff_a)
    assert later.get(reverse("home"))["Location"].startswith(SECOND_STEP)


def test_a_tablet_pin_session_needs_no_second_step(client, cast):
    client.force_login(cast.manager)
    client.post(reverse("tablet_register"), {"group": cast.group_a.pk, "name": "Tablet Vlinders"})
    with_app(cast.staff_a)  # even one who set up an app of their own accord
    tablets.set_pin(cast.staff_a, "2580")
    response = client.post(reverse("tablet_unlock", args=[cast.staff_a.pk]), {"pin": "2580"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(cast.staff_a.pk)
    assert client.get(reverse("child_detail", args=[cast.child_a.pk])).status_code == 200


def test_an_admin_resets_a_lost_second_step_of_their_own_organisation_logged(cast):
    with_app(cast.manager)
    new_recovery_codes(cast.manager)
    other = make_user("coach@other.example.test")
    add_membership(other, Role.COACH, location=cast.other_location)
    with_app(other)
    admin = Client()
    admin.force_login(cast.admin)
    changelist = reverse("admin:staff_user_changelist")
    response = admin.post(changelist, {"action": "reset_second_step", "_selected_action": [cast.manager.pk, other.pk]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=cast.manager).exists()
    assert not StaticDevice.objects.filter(user=cast.manager).exists()
    assert TOTPDevice.objects.filter(user=other).exists()  # another organisation's: untouched
    reset = SecondFactorReset.objects.get()
    assert (reset.user, reset.reset_by) == (cast.manager, cast.admin)
    assert LogEntry.objects.filter(
        object_id=str(cast.manager.pk), change_message="Tweede stap opnieuw ingesteld"
    ).exists()
    # The manager sets it up again at the next sign-in.
    client = sign_in_with_password(cast.manager)
    assert client.get(SECOND_STEP)["Location"].startswith(SETUP)


def test_the_password_reset_does_not_skip_the_second_step(cast):
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from staff.tokens import reset_token_generator

    with_app(cast.manager)
    client = Client()
    uid = urlsafe_base64_encode(force_bytes(cast.manager.pk))
    link = reverse("password_reset_confirm", args=[uid, reset_token_generator.make_token(cast.manager)])
    form_url = client.get(link)["Location"]
    new = "een-nieuw-lang-wachtwoord-42"
    done = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))  # not signed in by the reset
    client.post(reverse("login"), {"username": cast.manager.email, "password": new})
    assert client.get(reverse("home"))["Location"].startswith(SECOND_STEP)
