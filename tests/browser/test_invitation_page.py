"""The page of an invitation's link (issue 23) at a phone's and a tablet's width: choosing a password,
a refused one, the done page and the page of a link that no longer works; axe-core, tap targets,
sideways scroll and the Nu HTML Checker find nothing."""

import re

import pytest

from staff.invitations import invite
from staff.models import Role, User
from tests import factories as f
from tests.browser.page_checks import html_errors, shoot
from tests.task_worker import run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_invitation_pages_at_a_phone_width(page, live_server, output_dir):
    from django.core import mail

    organisation = f.make_organisation("Kinderopvang De Linde")
    group = f.make_group(f.make_location(organisation, "Locatie Een"), "Groep A")
    user = User.objects.create_user("iris@example.test", None, first_name="Iris")
    f.add_membership(user, Role.STAFF, group=group)
    invite(user, organisation=organisation, by=None, site=live_server.url)
    run_worker()
    link = re.search(r"https?://\S+/uitnodiging/\S+/", mail.outbox[0].body).group(0)

    problems: list[str] = []
    page.goto(link)
    assert page.get_by_role("heading", name="Kies je wachtwoord").is_visible()
    shoot(page, output_dir, "invitation-choose", problems)
    page.locator("#id_new_password1").fill("12345678")
    page.locator("#id_new_password2").fill("12345678")
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    page.wait_for_load_state("networkidle")
    shoot(page, output_dir, "invitation-refused", problems)
    page.locator("#id_new_password1").fill("een-nieuw-lang-wachtwoord-42")
    page.locator("#id_new_password2").fill("een-nieuw-lang-wachtwoord-42")
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Wachtwoord opgeslagen").is_visible()
    shoot(page, output_dir, "invitation-done", problems)
    page.goto(link)
    assert page.get_by_role("heading", name="Deze uitnodiging werkt niet meer").is_visible()
    shoot(page, output_dir, "invitation-invalid", problems)

    user.refresh_from_db()
    assert user.check_password("een-nieuw-lang-wachtwoord-42")
    assert problems == []
    names = ["invitation-choose", "invitation-refused", "invitation-done", "invitation-invalid"]
    assert html_errors(output_dir, names) == []
