"""Issue 12: the entry form by keyboard. A skip link to the first pillar; one pillar logged in at most
15 key presses from the group page (every Tab, Enter, Space and arrow press counted); keyboard focus
never hidden behind the button bar or off screen; the form's script runs under the
Content-Security-Policy."""

import re

import pytest

from observations.models import Observation
from organisations.models import Group
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

MAX_PRESSES = 15

FOCUSED_JS = """() => {
  const e = document.activeElement;
  return {tag: e.tagName.toLowerCase(), cls: e.className || '', text: (e.textContent || '').trim().slice(0, 60),
          href: e.getAttribute('href') || '', type: e.type || '', value: e.value || '',
          pillar: e.closest('#first-pillar') ? e.closest('#first-pillar').dataset.pillar : ''};
}"""

# For the focused element (or, for a visually hidden chip input, its label): is it on screen, and is
# its middle not covered by anything else (a sticky bar)?
VISIBLE_JS = """() => {
  let e = document.activeElement;
  if (!e || e === document.body) return null;
  if (e.classList.contains('btn-check') && e.labels && e.labels.length) e = e.labels[0];
  const r = e.getBoundingClientRect();
  const name = `${e.tagName.toLowerCase()} "${(e.textContent || e.name || '').trim().slice(0, 30)}"`;
  const where = `${Math.round(r.top)}..${Math.round(r.bottom)} of ${window.innerHeight}`;
  if (r.top < -1 || r.bottom > window.innerHeight + 1) return `${name} off screen (${where})`;
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  if (hit && hit !== e && !e.contains(hit) && !hit.contains(e)) {
    return `${name} covered by ${hit.tagName.toLowerCase()}.${hit.className}`;
  }
  return '';
}"""


class Keyboard:
    def __init__(self, page):
        self.page = page
        self.presses: list[str] = []

    def press(self, key: str) -> None:
        self.presses.append(key)
        self.page.keyboard.press(key)

    def focused(self) -> dict:
        return self.page.evaluate(FOCUSED_JS)

    def tab_until(self, wanted, limit: int = 6) -> dict:
        for _ in range(limit):
            self.press("Tab")
            focused = self.focused()
            if wanted(focused):
                return focused
        raise AssertionError(f"not reached in {limit} Tabs; focus on {focused}")


def test_one_pillar_is_logged_by_keyboard_in_at_most_15_presses(page, live_server, demo_data, output_dir):
    log_in(page, live_server, "medewerker@example.org")
    group = Group.objects.get(name="Vlinders")
    page.goto(f"{live_server.url}/groepen/{group.pk}/")
    first_child = page.locator(".day-view .row-name").first.inner_text()
    before = Observation.objects.filter(child__placements__group=group).count()
    keys = Keyboard(page)

    skip = keys.tab_until(lambda f: "skip-link" in f["cls"], limit=1)
    assert skip["text"] == "Naar de inhoud"
    keys.press("Enter")
    keys.tab_until(lambda f: "row-link" in f["cls"], limit=3)  # past the breadcrumb to the first child's row
    keys.press("Enter")
    page.wait_for_url("**/waarnemingen/nieuw/")
    assert page.evaluate("() => document.documentElement.classList.contains('js')")  # entry.js ran under the CSP

    skip = keys.tab_until(lambda f: f["href"] == "#first-pillar", limit=2)
    assert skip["text"] == "Naar de eerste pijler"
    keys.press("Enter")
    radio = keys.tab_until(lambda f: f["type"] == "radio" and f["pillar"], limit=3)
    assert radio["value"] == ""  # "not seen" is where a pillar starts
    keys.press("ArrowRight")
    assert keys.focused()["value"] == "typical"
    checked = page.locator(f'[data-pillar="{radio["pillar"]}"] [data-kind] input:checked')
    assert checked.get_attribute("value") == "typical"
    page.screenshot(path=str(output_dir / "keyboard-first-pillar.png"))
    keys.press("Enter")  # submits the form with its first button, "Opslaan"
    page.wait_for_url(re.compile(r".*/groepen/\d+/(#.*)?$"))  # the browser keeps the skip link's #fragment

    assert len(keys.presses) <= MAX_PRESSES, keys.presses
    assert Observation.objects.filter(child__placements__group=group).count() == before + 1
    observation = Observation.objects.filter(observer__email="medewerker@example.org").latest("created_at")
    assert observation.child.full_name == first_child
    assert [(r.pillar, r.value) for r in observation.ratings.all()] == [(radio["pillar"], 0)]
    print(f"{len(keys.presses)} key presses: {' '.join(keys.presses)}")


@pytest.mark.parametrize("width,height", [(390, 844), (768, 1024)])
def test_focus_is_never_hidden_on_the_entry_form(browser, live_server, demo_data, width, height):
    # Reduced motion: the focus scroll lands at once (with smooth scrolling it ends at the same place).
    context = browser.new_context(viewport={"width": width, "height": height}, locale="nl-NL", reduced_motion="reduce")
    page = context.new_page()
    try:
        log_in(page, live_server, "medewerker@example.org")
        group = Group.objects.get(name="Vlinders")
        page.goto(f"{live_server.url}/groepen/{group.pk}/")
        page.locator(".day-view .row-link").first.click()
        page.wait_for_url("**/waarnemingen/nieuw/")
        hidden = []
        seen = 0
        for _ in range(80):
            page.keyboard.press("Tab")
            if page.evaluate("() => !!document.activeElement.closest('footer')"):
                break
            problem = page.evaluate(VISIBLE_JS)
            if problem is None:
                continue
            seen += 1
            if problem:
                hidden.append(problem)
        assert seen > 20  # the whole form was walked: moment, eight pillars, circumstances, note, buttons
        assert not hidden, "\n".join(hidden)
    finally:
        context.close()
