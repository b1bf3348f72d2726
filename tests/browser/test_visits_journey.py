"""Home visits on a phone: the consultant (for now the demo coach, who visits Anja Visser's home in this
test) opens the visits overview from the navigation, records a home visit with the agreements, observes
a child there with the ordinary entry form and plans the next visit. At 390 and 768 px: no sideways
scroll, no tap target under 44 px, no axe-core violation, no Nu HTML Checker error.
Screenshots: test-output/visits-<page>-<width>.png."""

import datetime

import pytest

from observations.models import Observation, Visit, VisitPlan
from organisations.calendar import today
from organisations.models import Location
from staff.models import Membership, Role, User
from tests.browser.conftest import log_in
from tests.browser.page_checks import html_errors, shoot

pytestmark = pytest.mark.browser

COACH = "coach@example.org"


def test_the_consultant_records_a_home_visit_on_a_phone(page, live_server, demo_data, output_dir):
    home = Location.objects.get(name="Gastouder Anja Visser")
    coach = User.objects.get(email=COACH)
    Membership.objects.create(user=coach, role=Role.COACH, organisation=home.organisation, location=home)
    problems: list[str] = []
    page.set_viewport_size({"width": 390, "height": 800})
    log_in(page, live_server, COACH)
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Huisbezoeken").first.click()
    page.wait_for_url("**/bezoeken/")
    assert page.get_by_text("Geen bezoek in de afgelopen 12 maanden").is_visible()  # never visited
    shoot(page, output_dir, "visits-overview", problems)

    page.get_by_role("link", name="Huisbezoek vastleggen").click()
    page.wait_for_url("**/bezoeken/locaties/*/nieuw/")
    page.get_by_label("Afspraken met de gastouder").fill("Anja noteert wanneer de kinderen troost zoeken.")
    shoot(page, output_dir, "visits-new", problems)
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url("**/bezoeken/*/")
    visit = Visit.objects.get(location__name="Gastouder Anja Visser")
    assert visit.agreements == "Anja noteert wanneer de kinderen troost zoeken."
    shoot(page, output_dir, "visits-detail", problems)

    page.get_by_role("link", name="Waarneming vastleggen").first.click()
    page.wait_for_url("**/waarnemingen/nieuw/?bezoek=*")
    assert page.locator("#visit-notice").is_visible()
    page.locator('[data-pillar="comfort_seeking"] label.chip-typical').click()  # the same chips as staff tap
    page.get_by_role("button", name="Opslaan", exact=True).click()
    page.wait_for_url(f"**/bezoeken/{visit.pk}/")
    observation = Observation.objects.get(observer=coach)
    assert list(visit.observations.all()) == [observation]

    page.goto(f"{live_server.url}/bezoeken/")
    planned = today() + datetime.timedelta(days=300)
    page.get_by_label("Volgend bezoek gepland").fill(planned.isoformat())
    page.get_by_role("button", name="Plannen").click()
    page.wait_for_url("**/bezoeken/")
    assert VisitPlan.objects.get(location=home).planned_on == planned
    shoot(page, output_dir, "visits-planned", problems)
    problems += html_errors(output_dir, ["visits-overview", "visits-new", "visits-detail", "visits-planned"])
    assert not problems, "\n".join(problems)
