"""Issue 22 journey: a location manager sees at a glance who needs attention and why. At 1280 px the home
page names the children with a recurring attention point (and shows the groups' table whole; on a phone
it reflows into a card per group), and a cell
of the group overview's matrix leads to that pillar on the child's summary, the matrix without a sideways
scroll of its own. At 390 px the matrix starts near the top and the child's name stays in sight while its
card scrolls by. Screenshots of the three pages at 390, 768 and 1280 px, with axe-core and the Nu HTML
Checker at zero."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from organisations.models import Group
from tests.browser.conftest import log_in
from tests.browser.page_checks import html_errors

pytestmark = pytest.mark.browser

WIDTHS = (390, 768, 1280)


def shoot_all(page, output_dir, name, problems):
    """Screenshots at the three widths into test-output/glance-<name>-<width>.png, with what axe-core finds
    in <main> and a sideways scroll of the page; the HTML for the Nu HTML Checker."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(output_dir / f"glance-{name}-{width}.png"), full_page=True)
        if page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"):
            problems.append(f"{name}-{width}: the page scrolls sideways")
        found = Axe().run(page, context="main").response["violations"]
        problems += [f"{name}-{width}: axe {v['id']} {v['help']} {[n['target'] for n in v['nodes']]}" for v in found]
    (output_dir / "html").mkdir(exist_ok=True)
    (output_dir / "html" / f"glance-{name}.html").write_text(page.content())
    page.set_viewport_size({"width": 1280, "height": 900})


def fits(page, selector) -> bool:
    """No sideways scroll inside the element: its content is no wider than its box."""
    return page.locator(selector).first.evaluate("e => e.scrollWidth <= e.clientWidth")


def test_a_manager_sees_who_needs_attention_and_opens_a_child_from_the_matrix(page, live_server, demo_data, output_dir):
    problems: list[str] = []
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "manager@example.org")

    # Home: the groups' table whole, and the children with an attention point by name.
    card = page.locator(".location-cards section.card").first
    header = card.get_by_role("columnheader", name="Aandachtspunten")
    assert header.is_visible()
    box, card_box = header.bounding_box(), card.bounding_box()
    assert box["x"] + box["width"] <= card_box["x"] + card_box["width"]
    assert fits(page, ".location-cards .scroll-region")
    attention = card.locator(".attention-list")
    assert attention.get_by_role("heading", name="Kinderen met een terugkerend aandachtspunt").is_visible()
    daan = attention.locator(".attention-point", has_text="Daan Mulder")
    assert daan.is_visible()
    assert "Vlinders" in daan.inner_text() and "Zoeken van troost" in daan.inner_text()
    assert "zoekt geen troost" in daan.inner_text() and "sinds week" in daan.inner_text()
    # On a phone the groups' table reflows: a card per group, each figure with its column's name, no scroll.
    page.set_viewport_size({"width": 390, "height": 844})
    assert fits(page, ".location-cards .scroll-region")
    vlinders = card.locator("tbody tr", has_text="Vlinders")
    assert vlinders.get_by_role("rowheader", name="Vlinders").is_visible()
    figure = vlinders.locator('td[data-label="Aandachtspunten"]')
    assert figure.evaluate("(td) => getComputedStyle(td, '::before').content") == '"Aandachtspunten"'
    assert figure.evaluate("(td) => td.getBoundingClientRect().right") <= 390
    heights = vlinders.locator("td[data-label]").evaluate_all("(tds) => tds.map((td) => td.offsetHeight)")
    assert len(heights) == 4 and max(heights) < 32, heights  # each name on one line, no word broken
    page.set_viewport_size({"width": 1280, "height": 900})
    shoot_all(page, output_dir, "home", problems)

    # The location page names them too.
    page.get_by_role("link", name="Kindercentrum De Vlinder").first.click()
    page.wait_for_url("**/locaties/*/")
    named = page.locator("main .attention-list")
    assert named.get_by_role("link", name="Daan Mulder").is_visible()
    assert "Lotte Jansen: " in page.locator("main").inner_text()  # a manager reads the counts by name
    shoot_all(page, output_dir, "location", problems)

    # The group overview: the whole matrix without a scroll of its own; a cell opens that pillar.
    page.locator("section.location-group", has_text="Vlinders").get_by_role(
        "link", name="Overzicht van groep Vlinders"
    ).click()
    page.wait_for_url("**/groepen/*/overzicht/")
    assert fits(page, ".matrix-scroll")
    assert page.locator("#matrix thead th").last.is_visible()
    caution = page.locator(".caution-compact details")
    assert caution.locator("summary").is_visible() and caution.get_attribute("open") is None
    cell = page.locator("#matrix tr", has_text="Daan Mulder").locator('[data-pillar="comfort_seeking"] a')
    assert "zoekt geen troost" in cell.inner_text()  # the pole in words
    # A screen reader names the link by its pillar, pattern and pole, at every width (the words hidden or not).
    spoken = re.compile(r"Zoeken van troost\s+terugkerend aandachtspunt\s+zoekt geen troost")
    words = cell.locator(".matrix-text")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert page.locator("#matrix").get_by_role("link", name=spoken).count() == 1, width
    # At a tablet's width the cell shows its symbol; the words come on focus, inside the screen.
    page.set_viewport_size({"width": 768, "height": 900})
    page.evaluate("document.activeElement && document.activeElement.blur()")
    assert words.evaluate("e => e.getBoundingClientRect().width") <= 1
    cell.focus()
    box = words.bounding_box()
    assert box is not None and box["width"] > 40 and box["x"] >= 0 and box["x"] + box["width"] <= 768
    page.screenshot(path=str(output_dir / "glance-overview-768-focus.png"))
    page.evaluate("document.activeElement.blur()")
    page.set_viewport_size({"width": 1280, "height": 900})
    shoot_all(page, output_dir, "overview", problems)

    # A phone: the matrix starts within the first two screens, the child's name stays in sight.
    page.set_viewport_size({"width": 390, "height": 844})
    page.evaluate("window.scrollTo(0, 0)")
    top = page.locator("#matrix").evaluate("e => e.getBoundingClientRect().top")
    assert top < 2 * 844, top
    row = page.locator("#matrix tr.matrix-row").first
    row_top = row.evaluate("e => e.getBoundingClientRect().top + window.scrollY")
    page.evaluate(f"window.scrollTo(0, {row_top} + 300)")  # into the middle of the first child's card
    name = row.locator("th.child-col")
    name_box = name.evaluate("e => e.getBoundingClientRect().top")
    assert 0 <= name_box < 5, name_box  # stuck to the top of the screen
    assert row.locator('[data-pillar="reunion"] .matrix-cell-pillar').is_visible()  # pillars as rows
    page.screenshot(path=str(output_dir / "glance-overview-390-scrolled.png"))

    # Back at 1280: a cell leads to the pillar on Daan's summary.
    page.set_viewport_size({"width": 1280, "height": 900})
    cell.click()
    page.wait_for_url("**/kinderen/*/overzicht/?weken=12#pijler-comfort_seeking")
    assert page.get_by_role("heading", name="Overzicht van Daan Mulder").is_visible()
    assert page.locator("#pijler-comfort_seeking").is_visible()

    problems += html_errors(output_dir, ["glance-home", "glance-location", "glance-overview"])
    assert problems == []


def test_a_staff_member_reads_their_own_count_and_the_groups_not_colleagues_by_name(
    page, live_server, demo_data, output_dir
):
    """Lotte Jansen of Vlinders on her location's page, at 390, 768 and 1280 px: her own count and the
    group's total, no colleague's name beside a count; the named attention list of her group still there."""
    problems: list[str] = []
    log_in(page, live_server, "medewerker@example.org")
    vlinders = Group.objects.get(name="Vlinders")
    page.goto(f"{live_server.url}{reverse('location_detail', args=[vlinders.location_id])}")
    figures = page.locator(".group-figures")
    text = figures.inner_text()
    assert "Van jou" in text and "De hele groep" in text
    assert "per medewerker" not in page.locator("main").inner_text()
    colleagues = ("Joost Bakker", "Priya Ramdin", "Fatima El Amrani", "Sanne de Boer", "Lotte Jansen")
    assert not [name for name in colleagues if name in text]  # no name beside a count, hers neither
    assert page.locator("main .attention-list").get_by_role("link", name="Daan Mulder").is_visible()
    shoot_all(page, output_dir, "location-staff", problems)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert figures.get_by_text("Van jou").is_visible(), width
    problems += html_errors(output_dir, ["glance-location-staff"])
    assert problems == []


def test_the_home_names_the_newest_five_and_leads_to_the_rest(page, live_server, demo_data, output_dir):
    """Bounded by design (issue 26): with more attention points at a location than the home names, the home
    shows the newest five and a link to the location page, which names them all; at 390 and 1280 px, with
    axe-core and the Nu HTML Checker at zero."""
    from reports.overview import HOME_ATTENTION_NAMES
    from staff.models import User
    from tests import factories as f
    from tests.report_data import give_recurring_comfort_pattern

    vlinders = Group.objects.get(name="Vlinders")
    observers = [User.objects.get(email="medewerker@example.org"), User.objects.get(email="joost@example.org")]
    for n in range(HOME_ATTENTION_NAMES + 1):
        give_recurring_comfort_pattern(f.make_child(vlinders, f"Extra{n}"), observers, weeks=3)
    problems: list[str] = []
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "manager@example.org")
    card = page.locator(".location-cards section.card", has_text="Kindercentrum De Vlinder").first
    assert card.locator(".attention-point").count() == HOME_ATTENTION_NAMES
    more = card.get_by_role("link", name="terugkerende aandachtspunten bij Kindercentrum De Vlinder")
    assert more.is_visible() and more.inner_text().startswith("Nog ")
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(output_dir / f"glance-home-capped-{width}.png"), full_page=True)
        if page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"):
            problems.append(f"home-capped-{width}: the page scrolls sideways")
        found = Axe().run(page, context="main").response["violations"]
        problems += [f"home-capped-{width}: axe {v['id']} {[n['target'] for n in v['nodes']]}" for v in found]
    (output_dir / "html").mkdir(exist_ok=True)
    (output_dir / "html" / "glance-home-capped.html").write_text(page.content())
    more.click()
    page.wait_for_url("**/locaties/*/#attention-*")
    named = page.locator("main .attention-list .attention-point")
    assert named.filter(has_text="Extra").count() == HOME_ATTENTION_NAMES + 1
    problems += html_errors(output_dir, ["glance-home-capped"])
    assert problems == []


def test_a_regional_manager_pages_through_the_locations_and_opens_one_by_name(page, live_server, demo_data, output_dir):
    """Bounded by design (issue 26): a manager of more groups than HOME_GROUPS_PER_PAGE sees whole locations a
    page at a time, pages on, and reaches any location from the list of them all; at 390, 768 and 1280 px,
    with axe-core and the Nu HTML Checker at zero."""
    from staff.models import Role, User
    from tests import factories as f

    manager = User.objects.get(email="manager@example.org")
    organisation = manager.memberships.filter(role=Role.MANAGER).first().organisation
    for n in range(3):
        location = f.make_location(organisation, f"Kindercentrum Regio {n}")
        for g in range(10):
            f.make_group(location, f"Regiogroep {n}-{g}")
        f.add_membership(manager, Role.MANAGER, location=location)
    problems: list[str] = []
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "manager@example.org")
    pages = page.get_by_role("navigation", name="Pagina's van Mijn locaties")
    assert pages.get_by_text("Pagina 1 van").is_visible()
    shoot_all(page, output_dir, "home-pages", problems)
    first = page.locator(".location-cards section.card h3").all_inner_texts()
    pages.get_by_role("link", name="Volgende").click()
    page.wait_for_url("**/?locaties=2")
    second = page.locator(".location-cards section.card h3").all_inner_texts()
    assert second and not set(first) & set(second)
    assert pages.get_by_role("link", name="Vorige").is_visible()
    pages.get_by_role("link", name="Kindercentrum Regio 2").click()
    page.wait_for_url("**/locaties/*/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Kindercentrum Regio 2")
    problems += html_errors(output_dir, ["glance-home-pages"])
    assert problems == []
