"""Issue 22, a linked group tablet without a connection: the service worker keeps the group's day view
and its children's entry forms for the person who unlocked the tablet, and nothing else. Offline, the
tablet opens them (navigations, not a page left open), entries wait per child and are sent once each
when the connection is back; any other page gets our own "no connection" page. Locking and unlinking
empty the cache; a personal session never gets one. (The worker's URL and headers:
tests/test_tablet_offline.py.)"""

import re

import pytest

from children.models import Child
from devices import services
from devices.models import Tablet
from observations.models import Observation
from staff.models import User
from tests.browser.conftest import log_in
from tests.browser.page_checks import html_errors, shoot

pytestmark = pytest.mark.browser

NOTE = "Keek bij het afscheid niet om en speelde meteen verder."
NO_CONNECTION = "Geen verbinding: deze pagina is niet beschikbaar zonder verbinding"

CACHED_PATHS_JS = """async () => {
  const names = (await caches.keys()).filter((name) => name.startsWith('tablet-'));
  const paths = [];
  for (const name of names) {
    for (const request of await (await caches.open(name)).keys()) paths.push(new URL(request.url).pathname);
  }
  return paths.sort();
}"""
WORKERS_JS = "async () => (await navigator.serviceWorker.getRegistrations()).length"
READY_JS = "async () => { await window.tabletOfflineCache.ready; return true; }"


@pytest.fixture
def tablet(browser, live_server, demo_data, settings):
    settings.TABLET_IDLE_MINUTES = 5
    services.set_pin(User.objects.get(email="medewerker@example.org"), "2580")
    context = browser.new_context(viewport={"width": 768, "height": 1024}, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def link_and_unlock(page, live_server):
    log_in(page, live_server, "manager@example.org")
    page.get_by_role("link", name="Groepstablets").click()
    page.get_by_role("combobox", name="Groep").select_option(label="Vlinders (Kindercentrum De Vlinder)")
    page.get_by_label("Naam van deze tablet").fill("Tablet Vlinders")
    page.get_by_role("button", name="Koppel dit apparaat als groepstablet").click()
    page.wait_for_url("**/tablet/")
    unlock(page)


def unlock(page):
    page.get_by_role("link", name="Lotte Jansen").click()
    page.get_by_label("Je pincode").fill("2580")
    page.get_by_role("button", name="Ontgrendelen").click()
    page.wait_for_url("**/groepen/*/")


def kept_paths(page):
    return page.evaluate(CACHED_PATHS_JS)


def wait_for(page, check, timeout_ms=15_000):
    for _ in range(timeout_ms // 250):
        if check():
            return
        page.wait_for_timeout(250)
    assert check()


def wait_until_kept(page, paths):
    page.evaluate(READY_JS)
    wait_for(page, lambda: set(paths) <= set(kept_paths(page)))


def save_offline(page, child_name, keys=None):
    page.get_by_role("link", name=child_name).first.click()  # a navigation, served by the worker
    page.wait_for_url("**/waarnemingen/nieuw/")
    if keys is not None:
        keys.append(page.locator("input[name=submission_key]").input_value())
    pillar = page.locator('[data-pillar="strangers"]')
    pillar.get_by_text("gaat met iedereen mee", exact=True).click()
    pillar.get_by_text("duidelijk", exact=True).click()
    pillar.get_by_label("Wat zag je?").fill(NOTE)
    page.get_by_role("button", name="Opslaan", exact=True).click()
    first_name = child_name.split()[0]
    waiting = re.compile(f"^(Waarneming|\\d+ waarnemingen) van {first_name} wacht(en)? op verbinding$")
    page.locator(".outbox-status").get_by_text(waiting).wait_for()


def test_the_tablet_opens_its_group_offline_and_sends_each_waiting_entry_once(tablet, live_server, output_dir):
    page = tablet
    problems = []
    link_and_unlock(page, live_server)
    day_view = page.url
    zoe, levi = Child.objects.get(first_name="Zoë"), Child.objects.get(first_name="Levi")
    forms = {child: f"/kinderen/{child.pk}/waarnemingen/nieuw/" for child in (zoe, levi)}
    group_path = day_view.removeprefix(live_server.url)
    wait_until_kept(page, [group_path, *forms.values(), "/static/pages/offline.js", "/static/css/app.css"])
    kept = page.evaluate(CACHED_PATHS_JS)
    # Names and forms only: no timeline, summary, conversation or observation page.
    assert not [p for p in kept if p.startswith("/kinderen/") and not p.endswith("/waarnemingen/nieuw/")]
    assert not [p for p in kept if p.startswith(("/waarnemingen/", "/gesprekken/"))]
    before = {child: Observation.objects.filter(child=child).count() for child in (zoe, levi)}
    queued_posts = []
    page.context.on(
        "request",
        lambda request: (
            queued_posts.append(request.url)
            if request.method == "POST" and request.headers.get("x-queued-entry") == "1"
            else None
        ),
    )

    page.context.set_offline(True)
    page.set_viewport_size({"width": 390, "height": 844})  # the first entry on a phone's width
    page.goto(day_view)  # no page left open: the worker answers from its cache
    assert page.get_by_role("heading", name="Vlinders").is_visible()
    save_offline(page, "Zoë Peters")
    page.goto(day_view)
    zoe_row = page.locator(".day-view li", has_text="Zoë Peters")
    zoe_row.get_by_text("Waarneming wacht op verbinding").wait_for()
    page.set_viewport_size({"width": 1280, "height": 900})  # the second on a desktop's width
    save_offline(page, "Levi Hendriks")
    page.set_viewport_size({"width": 768, "height": 1024})
    page.goto(day_view)
    status = page.locator(".outbox-status")
    assert status.get_by_text("Waarneming van Zoë wacht op verbinding").is_visible()
    assert status.get_by_text("Waarneming van Levi wacht op verbinding").is_visible()
    explanation = "Ze zijn op dit apparaat bewaard en worden verstuurd zodra er weer verbinding is."
    assert explanation in status.inner_text()
    page.wait_for_timeout(3000)  # not a toast: the explanation stays while anything waits
    assert explanation in status.inner_text()
    assert (
        page.locator(".day-view li", has_text="Levi Hendriks")
        .get_by_text("Waarneming wacht op verbinding")
        .is_visible()
    )
    assert page.locator(".day-view .outbox-row").count() == 2
    shoot(page, output_dir, "tablet-offline-day-view", problems, widths=(390, 768, 1280))

    # A page the tablet does not keep: our page, not the browser's error.
    page.locator(".day-view li", has_text="Zoë Peters").get_by_role("link", name="Tijdlijn").click()
    page.get_by_role("heading", name=NO_CONNECTION).wait_for()
    assert "Zoë" not in page.content()
    retry = page.get_by_role("link", name="Opnieuw proberen")
    assert retry.evaluate("(link) => getComputedStyle(link).borderTopStyle") == "solid"  # its style, by nonce
    shoot(page, output_dir, "tablet-offline-page", problems, widths=(390, 768, 1280))
    assert queued_posts == []
    assert {child: Observation.objects.filter(child=child).count() for child in (zoe, levi)} == before

    # Back online on the day view: each entry is sent once, and the message names the children.
    page.goto(day_view)
    page.context.set_offline(False)
    status.get_by_text("De waarneming van Zoë is opgeslagen.").wait_for()
    assert status.get_by_text("De waarneming van Levi is opgeslagen.").is_visible()
    assert page.locator(".day-view .outbox-row").count() == 0
    shoot(page, output_dir, "tablet-offline-sent", problems, scope=".outbox-status", widths=(390, 768, 1280))
    # The connection drops and returns, the page reloads: nothing is sent again.
    page.context.set_offline(True)
    page.context.set_offline(False)
    page.reload()
    page.wait_for_timeout(2500)
    assert len(queued_posts) == 2 and sorted(queued_posts) == sorted(live_server.url + p for p in forms.values())
    assert {child: Observation.objects.filter(child=child).count() for child in (zoe, levi)} == {
        zoe: before[zoe] + 1,
        levi: before[levi] + 1,
    }
    lotte = User.objects.get(email="medewerker@example.org")
    assert Observation.objects.filter(ratings__note=NOTE, observer=lotte).count() == 2
    assert problems == []
    assert html_errors(output_dir, ["tablet-offline-day-view", "tablet-offline-page", "tablet-offline-sent"]) == []

    # Locking empties the cache; the worker stays for the locked tablet.
    page.get_by_role("button", name="Vergrendelen").click()
    page.wait_for_url("**/tablet/**")
    page.evaluate(READY_JS)
    assert page.evaluate(CACHED_PATHS_JS) == []
    page.context.set_offline(True)
    page.goto(day_view)
    page.get_by_role("heading", name=NO_CONNECTION).wait_for()  # nothing kept to show
    page.context.set_offline(False)

    # Unlinked (by the manager, from the office): the next page ends the session, the cache and the worker.
    page.goto(live_server.url + "/tablet/")
    unlock(page)
    wait_until_kept(page, [group_path, *forms.values()])
    services.revoke_tablet(Tablet.objects.get(), by=User.objects.get(email="manager@example.org"))
    page.reload()
    page.wait_for_url("**/inloggen/**")
    page.evaluate(READY_JS)
    assert page.evaluate(CACHED_PATHS_JS) == []
    assert page.evaluate(WORKERS_JS) == 0


def test_a_personal_session_gets_no_cached_pages(page, live_server, demo_data):
    log_in(page, live_server, "medewerker@example.org")
    page.get_by_role("link", name="Vlinders").first.click()
    page.wait_for_url("**/groepen/*/")
    day_view = page.url
    page.get_by_role("link", name="Zoë Peters").first.click()
    page.wait_for_url("**/waarnemingen/nieuw/")
    page.evaluate(READY_JS)
    assert page.evaluate(WORKERS_JS) == 0
    assert page.evaluate(CACHED_PATHS_JS) == []
    page.context.set_offline(True)
    with pytest.raises(Exception, match="ERR_INTERNET_DISCONNECTED"):
        page.goto(day_view)  # the browser's own error: nothing was kept


def test_the_cache_goes_when_the_tablet_locks_itself_after_idle_minutes(tablet, live_server, settings):
    page = tablet
    link_and_unlock(page, live_server)
    day_view = page.url
    wait_until_kept(page, [day_view.removeprefix(live_server.url)])
    settings.TABLET_IDLE_MINUTES = 0.1  # six seconds from the next page on
    page.reload()
    page.evaluate(READY_JS)
    page.context.set_offline(True)  # it locks without a connection too: the page empties the cache
    wait_for(page, lambda: kept_paths(page) == [], timeout_ms=20_000)
    page.goto(day_view)
    page.get_by_role("heading", name=NO_CONNECTION).wait_for()


def test_the_same_childs_kept_form_twice_offline_saves_two_entries(tablet, live_server):
    """The worker keeps one copy of a form, with one submission key: opened again, it gets a fresh key,
    or the server would take the second entry for the first."""
    page = tablet
    link_and_unlock(page, live_server)
    day_view = page.url
    nora = Child.objects.get(first_name="Nora")
    wait_until_kept(page, [day_view.removeprefix(live_server.url), f"/kinderen/{nora.pk}/waarnemingen/nieuw/"])
    before = Observation.objects.filter(child=nora).count()
    page.context.set_offline(True)
    keys = []
    for _ in range(2):
        page.goto(day_view)
        save_offline(page, "Nora van Leeuwen", keys)
    assert keys[0] != keys[1]
    page.goto(day_view)
    page.locator(".outbox-status").get_by_text("2 waarnemingen van Nora wachten op verbinding").wait_for()
    assert (
        page.locator(".day-view li", has_text="Nora van Leeuwen")
        .get_by_text("2 waarnemingen wachten op verbinding")
        .is_visible()
    )
    page.context.set_offline(False)
    page.locator(".outbox-status").get_by_text("De 2 waarnemingen van Nora zijn opgeslagen.").wait_for()
    assert Observation.objects.filter(child=nora).count() == before + 2
