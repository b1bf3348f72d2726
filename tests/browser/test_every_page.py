"""Issue 12 (first half) and issue 9 item 5, in the browser: every page type, for every role that
sees it, on a 360 and 390 px phone and a 768 px tablet.

One visit per page (module fixture `tour`) collects, per width: sideways scroll of the page, tap
targets under 44 px, axe-core violations (at 390 and 768), Content-Security-Policy violations,
Bootstrap's blue anywhere (one accent colour) and the served HTML; a full-page screenshot goes to
test-output/pages/<role>-<page>-<width>.png. The tests below each judge one of these. The HTML of
all pages goes through the Nu HTML Checker in one Java run. The Django admin (/beheer/) is Django's own and left out.

Keyboard: a skip link to the first pillar, one pillar logged in at most 15 key presses from the
group page, and focus never hidden behind the entry form's button bar.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import get_resolver, reverse

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / ".tools/node_modules/vnu-jar/build/dist/vnu.jar"
WIDTHS = (768, 390, 360)
AXE_WIDTHS = (768, 390)
MIN_TARGET = 43.5  # 44 px, less a rounding half pixel

# Named URLs of pages.urls that are no HTML page to look at, or are looked at elsewhere.
NOT_PAGES = {
    "child_summary_pdf": "PDF download",
    "child_parent_handout_pdf": "PDF download",
    "conversation_report_pdf": "PDF download",
    "handout_draft_pdf": "PDF download (tests/browser/test_prepare_handout_journey.py)",
    "prepared_handout_pdf": "PDF download (tests/browser/test_prepare_handout_journey.py)",
    "group_overview_csv": "CSV download",
    "access_log_csv": "CSV download",
    "agreement_looked_back": "POST only",
    "tablet_revoke": "POST only",
    "tablet_lock": "POST only",
    "group_export": "POST only",
    "location_export": "POST only",
    "duo_observation_new": "POST only (its errors show on the agreement page, visited)",
    "export_progress": "JSON for the export page's script",
    "export_download": "zip download",
    "connection_check": "answers the offline queue, no page",
    "service_worker": "the group tablet's service worker script: tests/test_tablet_offline.py",
    "tablet_offline_pages": "JSON for the tablet's service worker: tests/test_tablet_offline.py",
    "practice_later": "POST only",
    "visit_plan": "POST only (its errors show on the visits overview, visited)",
    "tablet_home": "a registered tablet's screen: tests/browser/test_tablet*.py",
    "tablet_unlock": "a registered tablet's PIN screen: tests/browser/test_tablet*.py",
}

TARGETS_JS = """(min) => {
  const sel = '.btn, .nav-link, .navbar-brand, .page-link, .form-select, .form-control, .row-link, .chip, summary';
  const small = [];
  for (const el of document.querySelectorAll(sel)) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
    if (r.width < min || r.height < min) {
      const text = el.textContent.trim().replace(/\\s+/g, ' ').slice(0, 40);
      const size = `${Math.round(r.width)}x${Math.round(r.height)}`;
      small.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${text}" ${size}`);
    }
  }
  return small;
}"""

# Bootstrap's blue (#0d6efd and its focus shadow) anywhere in the computed colours of the page.
BLUE_JS = """() => {
  const found = new Set();
  for (const el of document.querySelectorAll('body *')) {
    const st = getComputedStyle(el);
    for (const prop of ['color', 'backgroundColor', 'borderTopColor', 'borderLeftColor', 'boxShadow']) {
      const name = `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`;
      if (/rgba?\\(13, 110, 253/.test(st[prop])) found.add(`${name} ${prop}`);
    }
  }
  return [...found].slice(0, 10);
}"""

OVERFLOW_JS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"

# Tables cut off on a phone: wider than the page, or than the scrolling region they sit in (issue 22). A short
# table reflows into stacked rows there instead (.table-reflow, static/css/app.css).
CUT_TABLES_JS = """() => [...document.querySelectorAll('main table')].flatMap((table) => {
  const box = table.closest('.scroll-region') || table.parentElement;
  const over = Math.max(Math.round(table.getBoundingClientRect().width - box.clientWidth),
    Math.round(table.getBoundingClientRect().right - document.documentElement.clientWidth));
  const name = table.id ? `#${table.id}` : `table.${[...table.classList].join('.')}`;
  return over > 0 ? [`${name} ${over} px too wide`] : [];
})"""
# Tables that scroll sideways inside their own labelled region on purpose, with the reason.
WIDE_TABLES = {
    "#matrix": "the group overview's matrix: eight pillars beside each child, a sticky name column",
}

# CSP violations reach the page as events; an init script records them before any page script runs.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${where}`);
});
"""


@dataclass
class Visit:
    role: str
    name: str
    path: str
    status: int = 0
    overflow: dict[int, int] = field(default_factory=dict)
    small_targets: dict[int, list[str]] = field(default_factory=dict)
    axe: dict[int, list[str]] = field(default_factory=dict)
    csp: list[str] = field(default_factory=list)
    html: str = ""
    blue: list[str] = field(default_factory=list)
    cut_tables: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.role}:{self.name}"


def demo_pages() -> dict[str, list[tuple[str, str]]]:
    """Per role (demo login), the page types it sees, with one real object each."""
    from batch_export.models import BatchExport
    from conversations.models import Conversation
    from observations.models import Observation
    from organisations.calendar import today
    from organisations.models import Group, Location
    from planning_import.models import PendingImport
    from staff.models import User

    vlinders = Group.objects.get(name="Vlinders")
    location = Location.objects.get(name="Kindercentrum De Vlinder")
    own = (
        Observation.objects.filter(observer__email="medewerker@example.org", removed_at__isnull=True)
        .filter(date__gte=today() - datetime.timedelta(days=5))
        .order_by("-date", "-pk")
        .first()
    )
    assert own is not None, "the demo holds a recent observation of medewerker@example.org"
    child = own.child
    conversation = Conversation.objects.order_by("pk").first()
    assert conversation is not None
    export = BatchExport.objects.create(
        requested_by=User.objects.get(email="manager@example.org"),
        organisation_id=location.organisation_id,
        group=vlinders,
        weeks=12,
    )
    practice = _practice_round_of("medewerker@example.org")
    visit = _home_visit_of("coach@example.org")
    pending = PendingImport.objects.create(  # the sample export, uploaded by the demo's admin
        organisation_id=location.organisation_id,
        uploaded_by=User.objects.get(email="admin@example.org"),
        filename="planning-export.csv",
        data=(ROOT / "demo" / "samples" / "planning-export.csv").read_bytes(),
    )
    common = [("privacy", reverse("privacy_statement")), ("password-change", reverse("password_change"))]
    return {
        "staff": [
            ("home", reverse("home")),
            ("group", reverse("group_detail", args=[vlinders.pk])),
            ("child", reverse("child_detail", args=[child.pk])),
            ("entry-new", reverse("observation_new", args=[child.pk])),
            ("entry", reverse("observation_detail", args=[own.pk])),
            ("entry-edit", reverse("observation_edit", args=[own.pk])),
            ("entry-remove", reverse("observation_remove", args=[own.pk])),
            ("mentor-children", reverse("mentor_children")),
            ("summary", reverse("child_summary", args=[child.pk])),
            ("pin", reverse("pin_settings")),
            ("practice", reverse("practice_round")),
            ("practice-result", reverse("practice_result", args=[practice.pk])),
            ("not-found", "/bestaat-niet/"),
            *common,
        ],
        "manager": [
            ("home", reverse("home")),
            ("location", reverse("location_detail", args=[location.pk])),
            ("group", reverse("group_detail", args=[vlinders.pk])),
            ("overview", reverse("group_overview", args=[vlinders.pk])),
            ("child", reverse("child_detail", args=[conversation.child_id])),
            ("summary", reverse("child_summary", args=[conversation.child_id])),
            ("conversation", reverse("conversation_detail", args=[conversation.pk])),
            ("entry", reverse("observation_detail", args=[own.pk])),
            ("agreement", reverse("location_agreement", args=[location.pk])),
            ("tablet-register", reverse("tablet_register")),
            ("export", reverse("export_status", args=[export.pk])),
        ],
        "coach": [
            ("home", reverse("home")),
            ("location", reverse("location_detail", args=[location.pk])),
            ("overview", reverse("group_overview", args=[vlinders.pk])),
            ("agreement", reverse("location_agreement", args=[location.pk])),
            ("summary", reverse("child_summary", args=[conversation.child_id])),
            ("conversation", reverse("conversation_detail", args=[conversation.pk])),
            ("conversation-new", reverse("conversation_new", args=[conversation.child_id])),
            ("conversation-edit", reverse("conversation_edit", args=[conversation.pk])),
            ("handout-prepare", reverse("handout_prepare", args=[conversation.child_id])),
            ("visits", reverse("visits")),
            ("visit-new", reverse("visit_new", args=[visit.location_id])),
            ("visit", reverse("visit_detail", args=[visit.pk])),
            ("visit-edit", reverse("visit_edit", args=[visit.pk])),
        ],
        "admin": [
            ("home", reverse("home")),
            ("access-log", reverse("access_log")),
            ("import", reverse("planning_import")),
            ("import-columns", reverse("planning_import_columns", args=[pending.pk])),
            ("import-plan", reverse("planning_import_plan", args=[pending.pk])),
            *common,
        ],
        "anonymous": [
            ("login", reverse("login")),
            ("password-reset", reverse("password_reset")),
            ("password-reset-sent", reverse("password_reset_done")),
            ("not-found", "/bestaat-niet/"),
        ],
    }


def _home_visit_of(email: str):
    """A home visit by `email` to Anja Visser's home, which the demo coach visits here (until the demo has
    its own consultant: the agency's role that records home visits)."""
    from observations.models import Visit
    from organisations.calendar import today
    from organisations.models import Location
    from staff.models import Membership, Role, User

    home = Location.objects.get(name="Gastouder Anja Visser")
    user = User.objects.get(email=email)
    Membership.objects.get_or_create(user=user, role=Role.COACH, organisation=home.organisation, location=home)
    return Visit.objects.create(location=home, consultant=user, visited_on=today(), agreements="Samen voorlezen.")


def _practice_round_of(email: str):
    """A finished calibration round of `email`, every vignette rated as intended."""
    from calibration.services import PracticeAnswer, practice_round_save
    from calibration.vignettes import VIGNETTES
    from observations.pillars import rating_direction, rating_strength
    from staff.models import User

    answers = {
        v.code: PracticeAnswer(rating_direction(v.intended) or "typical", rating_strength(v.intended) or "")
        for v in VIGNETTES
    }
    return practice_round_save(user=User.objects.get(email=email), answers=answers)


LOGINS = {
    "staff": "medewerker@example.org",
    "manager": "manager@example.org",
    "coach": "coach@example.org",
    "admin": "admin@example.org",
}


def look_at(page, visit: Visit, output: Path) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900 if width > 400 else 780})
        if width == WIDTHS[0]:
            response = page.goto(visit.path)
            page.wait_for_load_state("networkidle")
            visit.status = response.status
            visit.html = response.text()
            visit.blue = page.evaluate(BLUE_JS)
        else:
            page.wait_for_timeout(50)  # the new layout
        visit.overflow[width] = page.evaluate(OVERFLOW_JS)
        if width == 390:
            visit.cut_tables = page.evaluate(CUT_TABLES_JS)
        visit.small_targets[width] = page.evaluate(TARGETS_JS, MIN_TARGET)
        if width in AXE_WIDTHS:
            results = axe.run(page)
            visit.axe[width] = [
                f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:4]}"
                for v in results.response["violations"]
            ]
        page.screenshot(path=str(output / f"{visit.role}-{visit.name}-{width}.png"), full_page=True)
    visit.csp = page.evaluate("() => window.__cspViolations")


@pytest.fixture(scope="module")
def tour(browser, live_server, django_db_setup, django_db_blocker, output_dir) -> list[Visit]:
    from django.core.management import call_command

    shots = output_dir / "pages"
    shots.mkdir(parents=True, exist_ok=True)
    with django_db_blocker.unblock():
        with open(os.devnull, "w") as devnull:
            call_command("seed_demo", force=True, stdout=devnull)
        pages = demo_pages()
    visits: list[Visit] = []
    try:
        for role, role_pages in pages.items():
            context = browser.new_context(viewport={"width": 768, "height": 900}, locale="nl-NL")
            context.add_init_script(CSP_LISTENER)
            page = context.new_page()
            page.set_default_timeout(15_000)
            console: list[str] = []
            page.on("console", lambda message, sink=console: sink.append(message.text))
            if role in LOGINS:
                with django_db_blocker.unblock():
                    log_in(page, live_server, LOGINS[role])
            for name, path in role_pages:
                visit = Visit(role, name, f"{live_server.url}{path}")
                with django_db_blocker.unblock():
                    look_at(page, visit, shots)
                visit.csp += [
                    text for text in console if "Content Security Policy" in text or "Permissions-Policy" in text
                ]
                console.clear()
                visits.append(visit)
            context.close()
    finally:
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)
    return visits


def test_every_page_answers(tour):
    wrong = [f"{v.label} {v.status}" for v in tour if v.status != (404 if v.name == "not-found" else 200)]
    assert not wrong, "\n".join(wrong)


def test_every_page_type_of_the_app_is_visited(tour):
    """A new page in pages/urls.py needs a place in demo_pages() (or a reason in NOT_PAGES)."""
    from pages import urls

    names = {pattern.name for pattern in urls.urlpatterns}
    visited = {get_resolver().resolve(urlsplit(v.path).path).url_name for v in tour if v.name != "not-found"}
    missing = names - visited - set(NOT_PAGES)
    assert not missing, missing


def test_no_page_scrolls_sideways(tour):
    wide = [f"{v.label} at {w} px: {px} px too wide" for v in tour for w, px in v.overflow.items() if px > 0]
    assert not wide, "\n".join(wide)


def test_no_table_is_cut_off_on_a_390_px_phone(tour):
    """History, notes and log tables reflow into stacked rows; only the tables of WIDE_TABLES scroll."""
    cut = [f"{v.label}: {t}" for v in tour for t in v.cut_tables if t.rsplit(" ", 4)[0] not in WIDE_TABLES]
    assert not cut, "\n".join(cut)


def test_tap_targets_are_at_least_44_px(tour):
    small = [f"{v.label} at {w} px: {t}" for v in tour for w, targets in v.small_targets.items() for t in targets]
    assert not small, "\n".join(small)


def test_axe_finds_no_violations(tour):
    found = [f"{v.label} at {w} px: {problem}" for v in tour for w, problems in v.axe.items() for problem in problems]
    assert not found, "\n".join(found)


def test_one_accent_colour_no_bootstrap_blue(tour):
    blue = [f"{v.label}: {where}" for v in tour for where in v.blue]
    assert not blue, "\n".join(blue)


def test_no_content_security_policy_violation_in_the_console(tour):
    found = [f"{v.label}: {problem}" for v in tour for problem in v.csp]
    assert not found, "\n".join(found)


def vnu_command() -> list[str]:
    java = shutil.which("java")
    if java and VNU_JAR.exists():
        return [java, "-Xss2m", "-jar", str(VNU_JAR)]
    message = (
        "The Nu HTML Checker is missing: it needs Java (apt-get install default-jre-headless) and "
        f"{VNU_JAR.relative_to(ROOT)} (`make vnu`, which runs `npm install --prefix .tools vnu-jar`)."
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def test_the_nu_html_checker_finds_no_errors(tour, output_dir):
    command = vnu_command()
    folder = output_dir / "html"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    files = []
    for visit in tour:
        path = folder / f"{visit.role}-{visit.name}.html"
        path.write_text(visit.html)
        files.append(str(path))
    result = subprocess.run(
        [*command, "--errors-only", "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stdout or result.stderr)["messages"]
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']} [{m.get('extract', '').strip()[:80]}]"
        for m in messages
        if m["type"] in ("error", "non-document-error")
    ]
    assert not errors, "\n".join(errors)
