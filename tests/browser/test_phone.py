"""Issue 22 (a phone, a tablet, a desktop): the name of whose session is open in sight at 390, 768 and
1280 px; on a phone the navigation one row (at most 64 px) with the links behind a Menu button that works
by keyboard; the group tablet's lock button one tap away; the entry form's save bar in reach at the top of
the form on a phone; a timeline card opens its entry wherever it is tapped; the change history reflows
on a phone instead of being cut off. Screenshots: test-output/phone-<page>-<width>.png; axe-core and the
Nu HTML Checker on the pages shot."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core.signing import get_cookie_signer
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import translation

from devices import services
from devices.middleware import COOKIE_NAME, COOKIE_SALT
from observations.models import Observation
from organisations.models import Group
from staff.models import User
from tests.browser.conftest import log_in
from tests.browser.page_checks import html_errors

pytestmark = pytest.mark.browser

WIDTHS = (390, 768, 1280)
STAFF = "medewerker@example.org"  # Lotte Jansen, of Vlinders

IN_VIEWPORT_JS = """(el) => {
  const r = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  return r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth
    && style.visibility !== 'hidden' && style.display !== 'none' && parseFloat(style.opacity) > 0;
}"""


def viewport(page, width):
    page.set_viewport_size({"width": width, "height": 780 if width < 400 else 900})
    page.wait_for_timeout(50)


def in_viewport(locator) -> bool:
    return locator.evaluate(IN_VIEWPORT_JS)


def own_observation() -> Observation:
    observation = (
        Observation.objects.filter(observer__email=STAFF, removed_at__isnull=True).order_by("-date", "-pk").first()
    )
    assert observation is not None
    return observation


def look(page, output_dir, name, problems):
    """Screenshots at the three widths into test-output/phone-<name>-<width>.png, axe-core at each, the
    page's HTML kept for the Nu HTML Checker."""
    from axe_playwright_python.sync_playwright import Axe

    for width in WIDTHS:
        viewport(page, width)
        page.screenshot(path=str(output_dir / f"phone-{name}-{width}.png"), full_page=True)
        if page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"):
            problems.append(f"{name}-{width}: the page scrolls sideways")
        found = Axe().run(page).response["violations"]
        problems += [f"{name}-{width}: axe {v['id']} {v['help']} {[n['target'] for n in v['nodes']]}" for v in found]
    (output_dir / "html").mkdir(exist_ok=True)
    (output_dir / "html" / f"phone-{name}.html").write_text(page.content())


def right_edge_gap(page, selector) -> float:
    """How far the element ends before the right edge of the navigation's content."""
    return page.evaluate(
        """(selector) => document.querySelector('.app-nav-inner').getBoundingClientRect().right
             - parseFloat(getComputedStyle(document.querySelector('.app-nav-inner')).paddingRight)
             - document.querySelector(selector).getBoundingClientRect().right""",
        selector,
    )


def test_the_name_is_in_sight_at_every_width_and_the_phone_menu_folds(page, live_server, demo_data, output_dir):
    # Signed out, the brand stands at the left at every width.
    page.goto(f"{live_server.url}/inloggen/")
    for width in WIDTHS:
        viewport(page, width)
        brand = page.locator(".app-brand").evaluate("(el) => el.getBoundingClientRect().left")
        inner = page.locator(".app-nav-inner").evaluate("(el) => el.getBoundingClientRect().left")
        assert brand - inner < 20, width
    log_in(page, live_server, STAFF)
    child = own_observation().child
    page.goto(f"{live_server.url}{reverse('child_detail', args=[child.pk])}")
    name = page.locator(".app-nav-user")
    toggle = page.get_by_role("button", name="Menu")
    mentor_link = page.locator(".app-nav").get_by_role("link", name="Mijn mentorkinderen")
    for width in WIDTHS:
        viewport(page, width)
        assert name.is_visible() and in_viewport(name), width
        assert name.inner_text().endswith("Lotte Jansen")
        assert (
            page.locator(".app-nav").get_by_text("Ingelogd:").count() == 1
        )  # said before the name, for a screen reader
        if width >= 768:
            assert not toggle.is_visible() and mentor_link.is_visible(), width  # the links themselves, no menu
            # Wrapped or not, the account's links end at the right, with the name, not under the brand.
            assert abs(right_edge_gap(page, ".app-nav-account")) < 2, width
    viewport(page, 390)
    nav = page.locator(".app-nav").bounding_box()
    assert nav is not None and nav["height"] <= 64  # one row on a phone
    assert not mentor_link.is_visible() and in_viewport(toggle)

    # The menu by keyboard: Enter opens it, Tab reaches its links, Escape closes it and returns the focus.
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true" and mentor_link.is_visible()
    page.screenshot(path=str(output_dir / "phone-menu-open-390.png"))
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('#app-menu') !== null")
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false" and not mentor_link.is_visible()
    assert page.evaluate("() => document.activeElement.classList.contains('app-nav-toggle')")
    # And by tap: the links are a tap away and lead on.
    toggle.click()
    mentor_link.click()
    page.wait_for_url("**/mijn-mentorkinderen/")
    assert name.is_visible()


def test_the_lock_button_on_a_linked_tablet_locks_in_one_tap(browser, live_server, demo_data, output_dir):
    lotte = User.objects.get(email=STAFF)
    services.set_pin(lotte, "2580")
    _, token = services.register_tablet(
        group=Group.objects.get(name="Vlinders"),
        name="Tablet Vlinders",
        by=User.objects.get(email="manager@example.org"),
    )
    context = browser.new_context(viewport={"width": 390, "height": 780}, locale="nl-NL")
    host = re.sub(r"^https?://|:\d+$", "", live_server.url)
    signed = get_cookie_signer(salt=COOKIE_NAME + COOKIE_SALT).sign(token)
    context.add_cookies([{"name": COOKIE_NAME, "value": signed, "domain": host, "path": "/"}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        for width in WIDTHS:
            page.goto(f"{live_server.url}{reverse('tablet_home')}")
            page.get_by_role("link", name="Lotte Jansen").click()
            page.get_by_label("Je pincode").fill("2580")
            page.get_by_role("button", name="Ontgrendelen").click()
            page.wait_for_url("**/groepen/*/")
            viewport(page, width)
            lock = page.locator(".app-nav").get_by_role("button", name="Vergrendelen")
            assert in_viewport(page.locator(".app-nav-user")) and in_viewport(lock), width  # without opening a menu
            assert page.locator(".app-nav").get_by_role("button", name="Uitloggen").count() == 0
            page.screenshot(path=str(output_dir / f"phone-tablet-{width}.png"))
            lock.click()
            page.wait_for_url("**/tablet/**")
            assert page.get_by_role("heading", name="Wie ben jij?").is_visible()
            assert page.locator(".app-nav-user").count() == 0  # nobody's session is open any more
            page.goto(f"{live_server.url}{reverse('mentor_children')}")
            assert urlsplit(page.url).path != reverse("mentor_children")  # locked: the page asks who you are first
            viewport(page, 390)
    finally:
        context.close()


def test_the_save_bar_is_in_reach_at_the_top_of_the_form_and_saves(page, live_server, demo_data):
    log_in(page, live_server, STAFF)
    child = own_observation().child
    before = Observation.objects.filter(child=child).count()
    page.goto(f"{live_server.url}{reverse('observation_new', args=[child.pk])}")
    save = page.get_by_role("button", name="Opslaan", exact=True)
    for width in WIDTHS:
        viewport(page, width)
        page.evaluate("window.scrollTo(0, 0)")
        assert in_viewport(page.get_by_role("heading", level=1)), width  # the top of the form is shown
        assert in_viewport(save), width  # and Save with it
    viewport(page, 390)
    bar = page.locator(".form-actions").bounding_box()
    assert bar is not None and bar["height"] <= 64  # one low row on a phone
    # At the bottom the bar covers no field: the note lies wholly above it.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    note = page.get_by_label("Algemene notitie").bounding_box()
    bar = page.locator(".form-actions").bounding_box()
    assert note is not None and bar is not None and note["y"] + note["height"] <= bar["y"]
    # Rate one pillar at the top of the form and save from there.
    page.evaluate("window.scrollTo(0, 0)")
    pillar = page.locator('[data-pillar="positive_affect"]')
    pillar.locator("label.chip-typical").click()  # "passend"
    assert in_viewport(save)
    save.click()
    page.wait_for_url(f"**{reverse('group_detail', args=[own_observation().group_id])}")
    assert Observation.objects.filter(child=child).count() == before + 1
    saved = Observation.objects.filter(child=child).latest("created_at")
    assert [(r.pillar, r.value) for r in saved.ratings.all()] == [("positive_affect", 0)]


def test_a_timeline_card_opens_its_entry_wherever_it_is_tapped(page, live_server, demo_data):
    log_in(page, live_server, STAFF)
    observation = own_observation()
    page.goto(f"{live_server.url}{reverse('child_detail', args=[observation.child_id])}")
    viewport(page, 390)
    card = page.locator(f"#waarneming-{observation.pk}")
    box = card.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44
    with translation.override("nl"):
        day = date_filter(observation.date, "WEEKDAY_DATE_FORMAT")
    link = card.get_by_role("link", name=f"Waarneming van {day} door {observation.observer.display_name}", exact=True)
    assert link.count() == 1  # the link says which entry: its date and its author
    card.click(position={"x": box["width"] - 12, "y": box["height"] - 8})  # the card's far corner, no text there
    page.wait_for_url(f"**{reverse('observation_detail', args=[observation.pk])}")
    # By keyboard the card's link is one stop; its focus ring is drawn around the whole card.
    page.go_back()
    link.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    outline = card.evaluate("(el) => getComputedStyle(el).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('observation_detail', args=[observation.pk])}")


def test_pages_at_a_phone_tablet_and_desktop_width_with_the_history_reflowed(page, live_server, demo_data, output_dir):
    """The child's page, the entry form and an observation changed once, at 390, 768 and 1280 px."""
    log_in(page, live_server, STAFF)
    observation = own_observation()
    problems: list[str] = []
    page.goto(f"{live_server.url}{reverse('child_detail', args=[observation.child_id])}")
    look(page, output_dir, "child", problems)
    page.goto(f"{live_server.url}{reverse('observation_new', args=[observation.child_id])}")
    look(page, output_dir, "entry-form", problems)

    # A change on a phone: the history gets rows of before and after.
    page.goto(f"{live_server.url}{reverse('observation_edit', args=[observation.pk])}")
    viewport(page, 390)
    page.get_by_label("Algemene notitie").fill(
        "Speelde lang alleen bij de blokken en keek af en toe op naar de leidster."
    )
    page.get_by_role("button", name="Opslaan", exact=True).click()
    page.wait_for_url(f"**{reverse('observation_detail', args=[observation.pk])}")
    table = page.get_by_role("region", name="Wijzigingsgeschiedenis").locator("table")
    assert table.locator("tbody tr").count() >= 2
    for width in WIDTHS:
        viewport(page, width)
        fits = table.evaluate("(t) => t.getBoundingClientRect().right <= document.documentElement.clientWidth")
        assert fits and not table.evaluate("(t) => t.parentElement.scrollWidth > t.parentElement.clientWidth"), width
    viewport(page, 390)
    # Stacked: each cell its own line, labelled with its column's header.
    first_cell = table.locator("tbody tr").first.locator("td").first
    label = first_cell.evaluate("(td) => getComputedStyle(td, '::before').content")
    assert label == '"Wanneer"'
    assert table.locator("thead").evaluate("(el) => el.getBoundingClientRect().width") <= 1
    look(page, output_dir, "entry-history", problems)
    assert problems == [], "\n".join(problems)
    assert html_errors(output_dir, ["phone-child", "phone-entry-form", "phone-entry-history"]) == []
