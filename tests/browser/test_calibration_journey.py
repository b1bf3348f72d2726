"""Issue 20: a new staff member is offered the calibration round before their first entry, does it on a
390 px phone with the entry form's chips, and sees per vignette the intended rating and why."""

import re

import pytest
from django.urls import reverse

from calibration.models import PracticeRound
from calibration.vignettes import VIGNETTES
from observations.pillars import rating_direction, rating_strength
from tests import factories as f
from tests.browser.conftest import log_in
from tests.browser.page_checks import html_errors, shoot
from tests.conftest import build_cast

pytestmark = pytest.mark.browser


def test_a_new_staff_member_does_the_practice_round(page, live_server, transactional_db, output_dir):
    cast = build_cast()
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, cast.staff_a.email, f.PASSWORD)
    offer = page.locator("section.practice-offer")
    assert offer.is_visible()
    offer.get_by_role("link", name="Doe de oefenronde").click()
    page.wait_for_url(re.compile(r".*/oefenen/$"))
    problems: list[str] = []
    shoot(page, output_dir, "practice-round", problems)

    wrong = "comfort_low"  # one vignette rated typical instead of its pole
    for vignette in VIGNETTES:
        section = page.locator(f"#vignette-{vignette.code}")
        value = 0 if vignette.code == wrong else vignette.intended
        kind = rating_direction(value) or "typical"
        section.locator(f"[data-kind] input[value='{kind}'] + label").click()
        if value:
            section.locator(f"[data-strength] input[value='{rating_strength(value)}'] + label").click()
    page.get_by_role("button", name="Bekijk de uitslag").click()
    page.wait_for_url(re.compile(r".*/oefenen/\d+/$"))
    shoot(page, output_dir, "practice-result", problems)

    total = len(VIGNETTES)
    score = page.locator("#practice-score").inner_text()
    assert score == f"{total - 1} van de {total} situaties beoordeeld zoals bedoeld."
    missed = page.locator("li.practice-result", has_text="Mila (3 jaar)")
    assert "anders" in missed.inner_text() and "Duidelijk pijn, en toch zoekt ze geen troost" in missed.inner_text()
    done = PracticeRound.objects.get(user=cast.staff_a)
    assert done.ratings.count() == total

    page.goto(f"{live_server.url}{reverse('home')}")
    assert page.locator("section.practice-offer").count() == 0  # done: no longer offered
    assert page.get_by_role("link", name="Oefenronde").count() >= 1  # but open again from the navigation

    # The coach of the location then opens the agreement page on the same phone: the round counts
    # there per pillar, as a share of the staff's ratings, without a name.
    page.context.clear_cookies()
    log_in(page, live_server, cast.coach.email, f.PASSWORD)
    page.goto(f"{live_server.url}{reverse('location_agreement', args=[cast.location1.pk])}")
    shoot(page, output_dir, "agreement-after-practice", problems)
    calibration = page.locator("#calibration-results")
    comfort = calibration.locator("tr", has_text="Zoeken van troost").inner_text()
    assert "67%" in comfort  # 2 of its 3 situations as intended
    assert "bedoeld zoekt geen troost, gekozen passend (1×)" in comfort
    assert cast.staff_a.first_name not in calibration.inner_text()
    problems += html_errors(output_dir, ["practice-round", "practice-result", "agreement-after-practice"])
    assert problems == []
