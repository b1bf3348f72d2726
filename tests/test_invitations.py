"""Invitations of new staff (issue 23): a person added by hand without a password, or by an import,
gets one Dutch mail with a one-time link to choose a password, valid for INVITATION_VALID_DAYS; an
admin lists the unused invitations of their own organisation and sends one again (the old link stops
working). The mail goes out from the task queue: the tests run the real worker, as the password
reset's tests do (tests/test_password_reset.py)."""

import datetime
import re

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from planning_import.applying import apply_import
from planning_import.columns import recognise_columns
from planning_import.planning import plan_import
from planning_import.reading import read_table
from staff.invitations import invite
from staff.models import Invitation, Role, SingleSignOn, User
from tests import factories as f
from tests.task_worker import run_worker

pytestmark = pytest.mark.django_db(transaction=True)  # the worker commits, as in production

DAY = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)  # a Monday
NEW_PASSWORD = "een-nieuw-lang-wachtwoord-42"
INVALID_TEXT = "Deze uitnodiging werkt niet meer"
ASK_ADMIN = "Vraag de beheerder om een nieuwe uitnodiging."
# Words that would betray an English sentence in a Dutch mail or page.
ENGLISH = re.compile(
    r"\b(hello|the|your|you|and|password|invitation|link works|days?|until|account for|expired|sign in)\b", re.I
)


@pytest.fixture(autouse=True)
def fixed_day():
    with time_machine.travel(DAY, tick=True):
        yield


def link_in(message) -> str:
    match = re.search(r"https?://[^/\s]+(/uitnodiging/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def choose_password(client, link, password=NEW_PASSWORD):
    form_page = client.get(link, follow=True)
    assert "Kies je wachtwoord" in form_page.content.decode(), form_page.content.decode()
    form_url = form_page.redirect_chain[-1][0]  # Django swaps the token for a session key first
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def add_by_hand(client, email, cast, **extra):
    data = {
        "email": email,
        "first_name": "Nina",
        "last_name": "Nieuw",
        "usable_password": "false",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-organisation": str(cast.org.pk),
        "memberships-0-role": Role.STAFF,
        "memberships-0-group": str(cast.group_a.pk),
        **extra,
    }
    return client.post(reverse("admin:staff_user_add"), data)


def staff_file(*people):
    lines = ["E-mail;Naam;Rol;Locatie;Groepen"]
    lines += [f"{email};{name};pedagogisch medewerker;;Groep A" for email, name in people]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def import_staff(cast, *people):
    table = read_table(staff_file(*people))
    return apply_import(plan_import(cast.org, table, recognise_columns(table.headers)), by=cast.admin)


def invited(cast, email, organisation=None):
    """A person without a password, invited (the mail sent by the worker); returns the user."""
    user = User.objects.create_user(email, None, first_name="Iris")
    f.add_membership(user, Role.STAFF, group=cast.group_a if organisation is None else cast.other_group)
    invite(user, organisation=organisation or cast.org, by=cast.admin, site="https://app.example.test")
    run_worker()
    return user


def history_of(obj) -> list[str]:
    content_type = ContentType.objects.get_for_model(obj)
    entries = LogEntry.objects.filter(content_type=content_type, object_id=str(obj.pk)).order_by("action_time")
    return [entry.get_change_message() for entry in entries]


# --- sending --------------------------------------------------------------------------------------


def test_a_person_added_by_hand_without_a_password_gets_one_dutch_mail(cast, client_for):
    client = client_for(cast.admin)
    add_page = client.get(reverse("admin:staff_user_add")).content.decode()
    assert "Uitnodiging per e-mail sturen" in add_page and "Nu een wachtwoord instellen" in add_page
    response = add_by_hand(client, "nina@example.test", cast)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert mail.outbox == []  # queued, not sent inside the request
    run_worker()
    [message] = mail.outbox
    user = User.objects.get(email="nina@example.test")
    assert not user.has_usable_password()
    assert message.to == ["nina@example.test"]
    assert message.subject == "Je uitnodiging voor Gehechtheid in beeld bij Linde"
    assert message.body.startswith("Hallo Nina,")
    assert "Linde heeft een account voor je gemaakt in Gehechtheid in beeld" in message.body
    assert "Kies je wachtwoord via deze link:" in message.body
    assert "http://testserver/uitnodiging/" in message.body  # the address the admin used
    assert "De link werkt één keer en blijft 7 dagen geldig, tot 14 december 2026." in message.body
    assert "Je logt in met je e-mailadres: nina@example.test" in message.body
    assert "Werkt de link niet meer? Vraag de beheerder om een nieuwe uitnodiging." in message.body
    assert ENGLISH.findall(message.body + message.subject) == []
    invitation = Invitation.objects.get(user=user)
    assert (invitation.organisation, invitation.invited_by, invitation.used_at) == (cast.org, cast.admin, None)
    assert invitation.valid_until - invitation.sent_at == datetime.timedelta(days=7)
    assert any("Uitnodiging verstuurd, geldig tot 14-12-2026" in entry for entry in history_of(user))


def test_a_person_added_with_a_password_gets_no_invitation(cast, client_for):
    response = add_by_hand(
        client_for(cast.admin),
        "piet@example.test",
        cast,
        usable_password="true",
        password1=NEW_PASSWORD,
        password2=NEW_PASSWORD,
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    run_worker()
    assert mail.outbox == [] and not Invitation.objects.exists()


def test_new_staff_of_an_import_get_one_mail_each_and_a_second_import_sends_none(cast):
    result = import_staff(cast, ("lotte@example.test", "Lotte Bos"), ("staff.a@example.test", "Anna"))
    assert result.staff_new == 1
    import_staff(cast, ("lotte@example.test", "Lotte Bos"), ("sven@example.test", "Sven Dijk"))
    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == ["lotte@example.test", "sven@example.test"]
    lotte = next(m for m in mail.outbox if m.to == ["lotte@example.test"])
    assert lotte.subject == "Je uitnodiging voor Gehechtheid in beeld bij Linde"
    assert lotte.body.startswith("Hallo Lotte,")
    assert "http://localhost:8000/uitnodiging/" in lotte.body  # SITE_URL: an import has no request
    assert ENGLISH.findall(lotte.body) == []
    invitation = Invitation.objects.get(user__email="lotte@example.test")
    assert (invitation.organisation, invitation.invited_by) == (cast.org, cast.admin)
    import_staff(cast, ("lotte@example.test", "Lotte Bos"), ("sven@example.test", "Sven Dijk"))
    run_worker()
    assert len(mail.outbox) == 2  # the same file again invites nobody again


def test_an_import_that_fails_sends_nothing(cast):
    """The mail is queued after the commit: an import rolled back invites nobody."""
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        import_staff(cast, ("lotte@example.test", "Lotte Bos"))
        raise RuntimeError("the import fails after the staff were written")
    run_worker()
    assert mail.outbox == [] and not User.objects.filter(email="lotte@example.test").exists()


def test_two_invitations_before_the_worker_runs_send_one_mail_with_the_newer_link(cast):
    user = User.objects.create_user("iris@example.test", None, first_name="Iris")
    f.add_membership(user, Role.STAFF, group=cast.group_a)
    invite(user, organisation=cast.org, by=cast.admin)
    invite(user, organisation=cast.org, by=cast.admin)
    run_worker()
    [message] = mail.outbox
    assert choose_password(Client(), link_in(message)).status_code == 302


# --- the link ----------------------------------------------------------------------------------------


def test_the_link_sets_a_password_once(cast):
    user = invited(cast, "iris@example.test")
    link = link_in(mail.outbox[0])
    client = Client()
    page = client.get(link, follow=True).content.decode()
    assert "Welkom bij Gehechtheid in beeld van Linde." in page
    assert "Je logt in met je e-mailadres iris@example.test en het wachtwoord dat je hier kiest." in page
    response = choose_password(client, link)
    assert response.status_code == 302 and response["Location"] == reverse("invitation_done")
    done = client.get(response["Location"]).content.decode()
    assert "Wachtwoord opgeslagen" in done and f'href="{reverse("login")}"' in done
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert Invitation.objects.get(user=user).used_at is not None
    assert "_auth_user_id" not in client.session  # nobody is logged in by the link: the login page does that
    login = Client().post(reverse("login"), {"username": "iris@example.test", "password": NEW_PASSWORD})
    assert login.status_code == 302 and login["Location"] == reverse("home")

    again = Client().get(link, follow=True).content.decode()
    assert INVALID_TEXT in again and ASK_ADMIN in again and "Kies je wachtwoord" not in again
    assert ENGLISH.findall(re.sub(r"<[^>]+>", " ", again.split("<main", 1)[-1])) == []


def test_the_password_validators_hold_and_a_refused_password_saves_nothing(cast):
    user = invited(cast, "iris@example.test")
    link = link_in(mail.outbox[0])
    client = Client()
    response = choose_password(client, link, password="12345678")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dit wachtwoord is te algemeen." in page or "Dit wachtwoord komt te vaak voor." in page
    user.refresh_from_db()
    assert not user.has_usable_password() and Invitation.objects.get(user=user).used_at is None


def test_an_expired_link_shows_the_dutch_page_and_changes_nothing(cast):
    user = invited(cast, "iris@example.test")
    link = link_in(mail.outbox[0])
    with time_machine.travel(DAY + datetime.timedelta(days=6, hours=23), tick=True):
        assert "Kies je wachtwoord" in Client().get(link, follow=True).content.decode()
    with time_machine.travel(DAY + datetime.timedelta(days=7, minutes=1), tick=True):
        client = Client()
        page = client.get(link, follow=True).content.decode()
        assert INVALID_TEXT in page and ASK_ADMIN in page
        uidb64 = link.strip("/").split("/")[1]
        client.post(
            reverse("invitation_accept", args=[uidb64, "set-password"]),
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
    user.refresh_from_db()
    assert not user.has_usable_password() and Invitation.objects.get(user=user).used_at is None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda uid, token: (uid, token[:-1] + ("0" if token[-1] != "0" else "1")),  # the hash
        lambda uid, token: (uid, "1" + token),  # the time stamp
        lambda uid, token: (uid, "zzzz"),
        lambda uid, token: ("MQ", token),  # another user's id
    ],
    ids=["hash", "timestamp", "garbage", "other user"],
)
def test_a_tampered_link_shows_the_dutch_page_and_changes_nothing(cast, tamper):
    user = invited(cast, "iris@example.test")
    _, _, uid, token, _ = link_in(mail.outbox[0]).split("/")
    uid, token = tamper(uid, token)
    page = Client().get(reverse("invitation_accept", args=[uid, token]), follow=True).content.decode()
    assert INVALID_TEXT in page and ASK_ADMIN in page
    user.refresh_from_db()
    assert not user.has_usable_password() and Invitation.objects.get(user=user).used_at is None


def test_signing_in_otherwise_uses_the_invitation(cast):
    """Signed in in any other way (the organisation's account; here Django's login itself)."""
    user = invited(cast, "iris@example.test")
    Client().force_login(user)
    assert Invitation.objects.get(user=user).used_at is not None
    assert INVALID_TEXT in Client().get(link_in(mail.outbox[0]), follow=True).content.decode()


def test_a_switched_off_account_gets_no_working_link(cast):
    user = invited(cast, "iris@example.test")
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert INVALID_TEXT in Client().get(link_in(mail.outbox[0]), follow=True).content.decode()


# --- the administration --------------------------------------------------------------------------------


def test_the_list_shows_only_the_own_organisations_unused_invitations(cast, client_for):
    invited(cast, "nog.open@example.test")
    used = invited(cast, "gebruikt@example.test")
    Invitation.objects.filter(user=used).update(used_at=timezone.now())
    given = invited(cast, "wachtwoord.gekregen@example.test")
    given.set_password(NEW_PASSWORD)  # an admin typed one in: the link is void, nobody waits for it
    given.save()
    expired = invited(cast, "verlopen@example.test")
    Invitation.objects.filter(user=expired).update(valid_until=timezone.now() - datetime.timedelta(days=1))
    invited(cast, "elders@example.test", organisation=cast.other_org)

    page = client_for(cast.admin).get(reverse("admin:staff_invitation_changelist")).content.decode()
    assert "nog.open@example.test" in page and "verlopen@example.test" in page
    assert "gebruikt@example.test" not in page and "elders@example.test" not in page
    assert "wachtwoord.gekregen@example.test" not in page
    assert "Uitnodiging opnieuw sturen" in page and "verlopen" in page
    expired_only = client_for(cast.admin).get(reverse("admin:staff_invitation_changelist") + "?state=expired")
    assert "verlopen@example.test" in expired_only.content.decode()
    assert "nog.open@example.test" not in expired_only.content.decode()
    other = client_for(cast.other_admin).get(reverse("admin:staff_invitation_changelist")).content.decode()
    assert "elders@example.test" in other and "nog.open@example.test" not in other
    assert client_for(cast.staff_a).get(reverse("admin:staff_invitation_changelist")).status_code in (302, 403)


def send_again(client, *invitations):
    return client.post(
        reverse("admin:staff_invitation_changelist"),
        {"action": "send_again", "_selected_action": [str(i.pk) for i in invitations]},
    )


def test_sending_again_voids_the_old_link_and_is_in_the_history(cast, client_for):
    user = invited(cast, "iris@example.test")
    old_link = link_in(mail.outbox[0])
    invitation = Invitation.objects.get(user=user)
    Invitation.objects.filter(pk=invitation.pk).update(valid_until=timezone.now() - datetime.timedelta(days=1))
    with time_machine.travel(DAY + datetime.timedelta(days=9), tick=True):
        response = send_again(client_for(cast.admin), invitation)
        assert response.status_code == 302
        assert "1 uitnodiging opnieuw gestuurd." in client_for(cast.admin).get(response["Location"]).content.decode()
        run_worker()
        assert len(mail.outbox) == 2
        new_link = link_in(mail.outbox[1])
        assert new_link != old_link
        assert "tot 23 december 2026" in mail.outbox[1].body
        assert INVALID_TEXT in Client().get(old_link, follow=True).content.decode()
        assert choose_password(Client(), new_link).status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    message = "Uitnodiging opnieuw gestuurd, geldig tot 23-12-2026"
    assert any(message in entry for entry in history_of(invitation))
    assert any(message in entry for entry in history_of(user))


def test_another_organisations_admin_cannot_see_or_send_again(cast, client_for):
    user = invited(cast, "iris@example.test")
    invitation = Invitation.objects.get(user=user)
    client = client_for(cast.other_admin)
    assert client.get(reverse("admin:staff_invitation_change", args=[invitation.pk])).status_code == 404
    send_again(client, invitation)
    run_worker()
    assert len(mail.outbox) == 1
    assert Invitation.objects.get(pk=invitation.pk).sent_at == invitation.sent_at
    assert "Kies je wachtwoord" in Client().get(link_in(mail.outbox[0]), follow=True).content.decode()


def test_an_organisation_with_its_own_accounts_says_so_in_the_mail_and_on_the_page(cast):
    """Where the organisation signs in with its own accounts (staff/sso.py), the invitation names its
    login page; elsewhere it does not."""
    SingleSignOn.objects.create(
        organisation=cast.org,
        slug="linde",
        button_label="Linde-account",
        issuer="https://login.example.test/linde",
        client_id="observaties",
        client_secret="geheim",
    )
    invited(cast, "iris@example.test")
    invited(cast, "olaf@example.test", organisation=cast.other_org)
    iris, olaf = (
        next(m for m in mail.outbox if m.to == [email]) for email in ("iris@example.test", "olaf@example.test")
    )
    assert "https://app.example.test/inloggen/linde/" in iris.body
    assert "inloggen/linde" not in olaf.body and "account van je organisatie" not in olaf.body
    page = Client().get(link_in(iris), follow=True).content.decode()
    assert 'href="/inloggen/linde/"' in page and "Inloggen met Linde-account" in page


def test_where_password_sign_in_is_off_the_invitation_sends_to_the_organisations_login_and_sets_no_password(cast):
    """A password chosen through the link would be refused at every login page: the mail names the
    organisation's login page instead of a link to choose one, the page offers no form and a post to
    it saves nothing; the first sign-in through the organisation's accounts uses the invitation."""
    SingleSignOn.objects.create(
        organisation=cast.org,
        slug="linde",
        button_label="Linde-account",
        issuer="https://login.example.test/linde",
        client_id="observaties",
        client_secret="geheim",
        password_login=False,
    )
    iris = invited(cast, "iris@example.test")
    [message] = mail.outbox
    body = message.body
    assert (
        f"{cast.org.name} logt in met eigen accounts, niet met een wachtwoord. Log hier in met Linde-account:" in body
    )
    assert "https://app.example.test/inloggen/linde/" in body
    assert "/uitnodiging/" not in body and "Kies je wachtwoord" not in body
    assert not ENGLISH.search(body), body

    # The invitation's own link (as an older mail would have it) shows the way in, not a form.
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from staff.tokens import invitation_token_generator

    uid = urlsafe_base64_encode(force_bytes(iris.pk))
    link = reverse("invitation_accept", args=[uid, invitation_token_generator.make_token(iris)])
    client = Client()
    page = client.get(link, follow=True)
    text = page.content.decode()
    assert "Inloggen met Linde-account" in text and 'href="/inloggen/linde/"' in text
    assert 'name="new_password1"' not in text and "Kies je wachtwoord" not in text
    form_url = page.redirect_chain[-1][0]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    iris.refresh_from_db()
    assert not iris.has_usable_password()
    assert Invitation.objects.get(user=iris).is_open
