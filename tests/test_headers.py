"""Issue 9, item 5: Content-Security-Policy (django-csp), Permissions-Policy and Cache-Control.

The browser side (no CSP violation in the console on any page, the entry form's script working under
the policy) is in tests/browser/test_every_page.py. Here: the headers themselves, and the templates
that browsers get hold no inline style or script the policy would block."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from reports.patterns import PatternKind
from reports.summary import PATTERN_STYLE
from tests.house_plan import layers
from tests.observation_factories import make_observation

ROOT = Path(__file__).resolve().parents[1]

# Templates rendered only into PDFs by WeasyPrint on the server (never served to a browser): they
# may keep their <style> block and style="" attributes.
PDF_ONLY = {
    "reports/templates/reports/summary_pdf.html",
    "reports/templates/reports/parent_handout_pdf.html",
    "reports/templates/reports/parent_report_pdf.html",
    "privacy/templates/privacy/access_export.html",
}
APPS = layers()


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def cache_control(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


def browser_templates() -> list[Path]:
    found = list((ROOT / "templates").rglob("*.html"))
    for app in APPS:
        found += (ROOT / app / "templates").rglob("*.html")
    return [p for p in found if str(p.relative_to(ROOT)) not in PDF_ONLY]


@pytest.mark.django_db
def test_every_page_has_a_content_security_policy_without_unsafe_inline(client, cast, client_for):
    for response in (client.get(reverse("login")), client_for(cast.staff_a).get(reverse("home"))):
        directives = csp_directives(response)
        assert directives["default-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["base-uri"] == ["'none'"]
        for name in ("script-src", "style-src"):
            assert directives[name][0] == "'self'"
            assert "'unsafe-inline'" not in directives[name] and "'unsafe-eval'" not in directives[name]
            assert all(source == "'self'" or source.startswith("'nonce-") for source in directives[name])


@pytest.mark.django_db
def test_a_nonce_in_a_template_reaches_the_header(rf):
    """An inline script or style needs `nonce="{{ request.csp_nonce }}"`; the header then names that nonce."""
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.template import engines

    template = engines["django"].from_string('<script nonce="{{ request.csp_nonce }}">1</script>')

    def view(request):
        return HttpResponse(template.render({}, request))

    response = CSPMiddleware(view)(rf.get("/"))
    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in csp_directives(response)["script-src"]


@pytest.mark.django_db
def test_permissions_policy_denies_camera_microphone_and_location_everywhere(client, cast, client_for):
    for response in (client.get(reverse("login")), client_for(cast.staff_a).get(reverse("home"))):
        policy = response["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in policy


@pytest.mark.django_db
def test_pages_with_child_data_are_never_stored(cast, client_for):
    make_observation(cast.child_a, cast.staff_a)
    staff = client_for(cast.staff_a)
    pages = [
        reverse("home"),
        reverse("group_detail", args=[cast.group_a.pk]),
        reverse("child_detail", args=[cast.child_a.pk]),
        reverse("observation_new", args=[cast.child_a.pk]),
        reverse("child_summary", args=[cast.child_a.pk]),
        reverse("mentor_children"),
    ]
    for url in pages:
        response = staff.get(url)
        assert response.status_code == 200, url
        assert cache_control(response) == {"private", "no-store"}, url
    manager = client_for(cast.manager)
    for url in (
        reverse("group_overview", args=[cast.group_a.pk]),
        reverse("location_detail", args=[cast.location1.pk]),
    ):
        assert cache_control(manager.get(url)) == {"private", "no-store"}, url
    # Downloads keep the no-store they set themselves.
    assert manager.get(reverse("group_overview_csv", args=[cast.group_a.pk]))["Cache-Control"] == "no-store"
    # A 404 for a logged-in user is not stored either; the admin is Django's never_cache plus ours.
    assert "no-store" in staff.get("/bestaat-niet/")["Cache-Control"]


def test_templates_for_browsers_have_no_inline_style_or_unnonced_script():
    """style="" attributes cannot carry a nonce: colours per pattern kind are CSS classes."""
    problems = []
    for path in browser_templates():
        text = path.read_text()
        name = path.relative_to(ROOT)
        if re.search(r"\sstyle\s*=", text):
            problems.append(f"{name}: style attribute")
        for tag in re.findall(r"<(?:style|script)\b[^>]*>", text):
            if "src=" not in tag and 'nonce="{{ request.csp_nonce }}"' not in tag:
                problems.append(f"{name}: {tag} without a nonce")
    assert problems == []


def test_the_pattern_colours_of_the_pages_are_those_of_the_reports():
    """The pattern badge and matrix take their colours from CSS classes; they must stay those of
    reports.summary.PATTERN_STYLE (the PDF's style block carries the same)."""
    css = (ROOT / "static/css/app.css").read_text()
    pdf = (ROOT / "reports/templates/reports/summary_pdf.html").read_text()
    for kind, style in PATTERN_STYLE.items():
        rule = re.search(rf"\.pattern-{PatternKind(kind).value} \{{([^}}]*)\}}", css)
        assert rule, kind
        assert f"--pattern-colour: {style['colour']}" in rule.group(1)
        assert f"--pattern-bg: {style['background']}" in rule.group(1)
        pdf_rule = re.search(rf"\.pattern-{PatternKind(kind).value} \{{([^}}]*)\}}", pdf)
        assert pdf_rule and style["colour"] in pdf_rule.group(1) and style["background"] in pdf_rule.group(1)
