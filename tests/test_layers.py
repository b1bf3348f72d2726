"""The house plan beyond Python imports.

import-linter (`make test`, contract "house-plan" in pyproject.toml) keeps a lower app from
importing a higher one. A lower app can also lean on a higher one without an import: by
including or extending its template, by linking its URL with {% url %}, or by reverse()/redirect()
with its URL name. This module checks those references against the same layers, read from
pyproject.toml, so the order lives in one place.

Ownership: a template belongs to the app whose templates/ folder holds the file Django loads
for its name. The project-level templates/ is the shell, the lowest floor of all: base.html (and
any other project-level template that extends no app's template) may be used by every app, and so
names no app's URL or template itself. A project-level template that extends an app's template
(the login pages, the error pages extend pages/base.html) is a page of that app, on its floor.
A URL belongs to the app of its view's module; URLs of Django itself (login, set_language,
the admin) belong to no floor and may be linked from anywhere.

Settings are checked too: a setting read by an app (`settings.NAME`) whose value is a URL name
or a template name must not belong to a higher app (a lower app would lean on it unseen).
"""

import ast
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeGuard

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.template import TemplateDoesNotExist, engines
from django.template.backends.django import Template as DjangoTemplate
from django.urls import URLPattern, URLResolver, get_resolver

from tests.house_plan import layers

ROOT = Path(__file__).resolve().parents[1]

TEMPLATE_REFERENCE = re.compile(r"""\{%-?\s*(include|extends)\s+(["'])(?P<name>[^"']+)\2""")
URL_TAG = re.compile(r"""\{%-?\s*url\s+(["'])(?P<name>[^"']+)\1""")
URL_FUNCTIONS = {"reverse", "reverse_lazy", "redirect", "resolve_url"}
TEMPLATE_LITERAL = re.compile(r"^(?P<app>[a-z_]+)/[\w./-]+\.(html|txt|xml)$")
SHELL = "templates"  # the project-level templates/ folder: the floor below every app
SHELL_DIR = ROOT / SHELL


def floor(app: str) -> int:
    return -1 if app == SHELL else layers().index(app)


@dataclass(frozen=True)
class Violation:
    source: str
    kind: str
    reference: str
    owner: str

    def __str__(self) -> str:
        return f"{self.source}: {self.kind} {self.reference!r} belongs to higher app {self.owner!r}"


def app_of_path(path: Path) -> str | None:
    """The app whose templates/ (or package) holds path, SHELL for the project-level templates/;
    None for libraries."""
    try:
        parts = Path(path).resolve().relative_to(ROOT).parts
    except ValueError:
        return None
    if parts and parts[0] == SHELL:
        return SHELL
    return parts[0] if parts and parts[0] in layers() else None


def extended_template(text: str) -> str | None:
    match = next((m for m in TEMPLATE_REFERENCE.finditer(text) if m[1] == "extends"), None)
    return match["name"] if match else None


@cache
def template_owner(name: str) -> str | None:
    """The app of the file Django loads for a template name (None: a library). A project-level
    template is the shell's (SHELL), unless it extends an app's template: then it is that app's."""
    try:
        template = engines["django"].get_template(name)
    except TemplateDoesNotExist as exc:
        raise AssertionError(f"template {name!r} does not exist") from exc
    assert isinstance(template, DjangoTemplate)
    owner = app_of_path(Path(template.origin.name))
    if owner == SHELL:
        parent = extended_template(Path(template.origin.name).read_text(encoding="utf-8"))
        owner = (template_owner(parent) or SHELL) if parent else SHELL
    return owner


def _url_owners(resolver: URLResolver, namespace: str = "") -> dict[str, str | None]:
    owners: dict[str, str | None] = {}
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            for name, owner in _url_owners(entry, inner).items():
                owners.setdefault(name, owner)
        elif isinstance(entry, URLPattern) and entry.name:
            view = getattr(entry.callback, "view_class", entry.callback)
            app = view.__module__.split(".")[0]
            owners.setdefault(namespace + entry.name, app if app in layers() else None)
    return owners


@cache
def url_owners() -> dict[str, str | None]:
    return _url_owners(get_resolver())


def url_owner(name: str) -> str | None:
    if name.startswith("admin:"):
        return None  # the admin's own pages: fine from anywhere
    owners = url_owners()
    assert name in owners, f"no URL named {name!r}"
    return owners[name]


def _check(app: str, source: str, kind: str, reference: str, owner: str | None) -> list[Violation]:
    if owner is not None and floor(owner) > floor(app):
        return [Violation(source, kind, reference, owner)]
    return []


def template_violations(app: str, text: str, source: str) -> list[Violation]:
    """Wrong-way {% include %}, {% extends %} and {% url %} in a template of app."""
    found = []
    for match in TEMPLATE_REFERENCE.finditer(text):
        name = match["name"]
        found += _check(app, source, f"{{% {match[1]} %}}", name, template_owner(name))
    for match in URL_TAG.finditer(text):
        found += _check(app, source, "{% url %}", match["name"], url_owner(match["name"]))
    return found


def _function_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def python_violations(app: str, text: str, source: str) -> list[Violation]:
    """Wrong-way URL names in reverse()/reverse_lazy()/redirect()/resolve_url(), and template
    names ("<app>/....html") of a higher app, in Python code of app."""
    found = []
    for node in ast.walk(ast.parse(text, filename=source)):
        if _is_setting(node):
            found += setting_violations(app, node.attr, source)
        elif isinstance(node, ast.Call) and _function_name(node.func) in URL_FUNCTIONS:
            function = _function_name(node.func)
            first = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "viewname"), None)
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            name = first.value
            if function in {"redirect", "resolve_url"} and ("/" in name or "." in name):
                continue  # Django takes these as URLs, not names
            found += _check(app, source, f"{function}()", name, url_owner(name))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = TEMPLATE_LITERAL.match(node.value)
            if match and match["app"] in layers():
                found += _check(app, source, "template name", node.value, template_owner(node.value))
    return found


def _is_setting(node: ast.AST) -> TypeGuard[ast.Attribute]:
    """`settings.NAME` (django.conf's settings, as every app reads them)."""
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "settings"


def setting_violations(app: str, name: str, source: str) -> list[Violation]:
    """A setting read by `app` whose value names a higher app's URL or template."""
    value = getattr(settings, name, None)
    if not isinstance(value, str):
        return []
    kind = f"settings.{name}"
    if value in url_owners():
        return _check(app, source, kind, value, url_owner(value))
    match = TEMPLATE_LITERAL.match(value)
    if match and match["app"] in layers():
        return _check(app, source, kind, value, template_owner(value))
    return []


def shell_templates() -> list[Path]:
    return sorted(p for p in SHELL_DIR.rglob("*") if p.is_file())


def app_templates(app: str) -> list[Path]:
    return sorted(p for p in (ROOT / app / "templates").rglob("*") if p.is_file())


def app_python(app: str) -> list[Path]:
    return sorted(p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts)


def tree_violations() -> tuple[list[Violation], int]:
    """Every violation in the apps' templates and Python code, and how many references were seen."""
    found, seen = [], 0
    for path in shell_templates():
        text = path.read_text(encoding="utf-8")
        owner = template_owner(str(path.relative_to(SHELL_DIR)))
        assert owner is not None
        seen += len(TEMPLATE_REFERENCE.findall(text)) + len(URL_TAG.findall(text))
        found += template_violations(owner, text, str(path.relative_to(ROOT)))
    for app in layers():
        for path in app_templates(app):
            text = path.read_text(encoding="utf-8")
            seen += len(TEMPLATE_REFERENCE.findall(text)) + len(URL_TAG.findall(text))
            found += template_violations(app, text, str(path.relative_to(ROOT)))
        for path in app_python(app):
            text = path.read_text(encoding="utf-8")
            seen += len(re.findall(r"\b(?:reverse|reverse_lazy|redirect|resolve_url)\(", text))
            found += python_violations(app, text, str(path.relative_to(ROOT)))
    return found, seen


# --- the rule holds for the tree -------------------------------------------------------------


def test_templates_and_url_names_point_down_the_house_plan():
    found, seen = tree_violations()
    assert seen > 50, "the checker saw almost no references: is it still reading the templates?"
    assert found == [], "\n".join(map(str, found))


def test_every_local_app_is_on_a_floor_in_installed_apps_order():
    local_apps = {p.parent.name for p in ROOT.glob("*/apps.py")}
    assert local_apps == set(layers()), "every app of the project has a floor in the layers contract"
    installed = [a for a in settings.INSTALLED_APPS if a in local_apps]
    assert installed == list(layers()), "INSTALLED_APPS lists the apps bottom to top, like the contract"


def test_ownership_is_read_from_the_files_and_the_resolver():
    assert layers()[0] == "organisations" and layers()[-1] == "pages"
    assert template_owner("pages/_timeline.html") == "pages"
    assert template_owner("reports/_caution.html") == "reports"
    assert template_owner("base.html") == SHELL  # the lowest floor
    assert template_owner("pages/base.html") == "pages"  # the pages' section, on the shell
    assert template_owner("registration/login.html") == "pages"  # extends pages/base.html
    assert template_owner("404.html") == "pages"  # through error_page.html
    assert template_owner("500.html") == SHELL  # error_standalone.html extends nothing
    assert url_owner("child_detail") == "pages"
    assert url_owner("login") is None  # Django's view, wired in attachment_site/urls.py
    assert url_owner("admin:index") is None


# --- the checker can fail --------------------------------------------------------------------


def test_a_lower_template_including_or_linking_a_higher_app_is_reported():
    text = """{% extends "base.html" %}
{% include "reports/_caution.html" %}
{% include 'pages/_timeline.html' with observations=items %}
<a href="{% url 'child_detail' child.pk %}">x</a>
<a href="{% url 'admin:index' %}">beheer</a> <a href="{% url 'logout' %}">uit</a>"""
    found = template_violations("observations", text, "observations/templates/observations/made_up.html")
    assert {(v.kind, v.reference, v.owner) for v in found} == {
        ("{% include %}", "reports/_caution.html", "reports"),
        ("{% include %}", "pages/_timeline.html", "pages"),
        ("{% url %}", "child_detail", "pages"),
    }
    assert template_violations("pages", text, "pages/templates/pages/made_up.html") == []


def test_a_lower_template_extending_a_higher_one_is_reported():
    found = template_violations("reports", '{% extends "pages/child_summary.html" %}', "reports/made_up.html")
    assert [(v.kind, v.owner) for v in found] == [("{% extends %}", "pages")]


def test_lower_python_reversing_a_higher_url_or_rendering_its_template_is_reported():
    code = """
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy

NEXT = reverse_lazy("home")

def view(request, child):
    if child is None:
        return redirect("/elders/")
    render(request, "pages/home.html", {})
    return redirect(reverse("child_summary", args=[child.pk]))
"""
    found = python_violations("children", code, "children/made_up.py")
    assert {(v.kind, v.reference) for v in found} == {
        ("reverse_lazy()", "home"),
        ("reverse()", "child_summary"),
        ("template name", "pages/home.html"),
    }
    assert python_violations("pages", code, "pages/made_up.py") == []


def test_the_shell_naming_any_apps_url_or_template_is_reported():
    """base.html is below every app: a page's partial or URL in it ties the shell to that app."""
    text = """{% include "pages/_tablet_lock.html" %}<a href="{% url 'home' %}">x</a>
{% include "reports/_caution.html" %}<a href="{% url 'logout' %}">uit</a> {% url 'admin:index' %}"""
    found = template_violations(SHELL, text, "templates/base.html")
    assert {(v.kind, v.reference, v.owner) for v in found} == {
        ("{% include %}", "pages/_tablet_lock.html", "pages"),
        ("{% url %}", "home", "pages"),
        ("{% include %}", "reports/_caution.html", "reports"),
    }


def test_the_shell_names_none_of_the_apps():
    text = (SHELL_DIR / "base.html").read_text(encoding="utf-8")
    assert template_violations(SHELL, text, "templates/base.html") == []
    assert extended_template(text) is None, "base.html is the bottom of every page: it extends nothing"


def test_devices_names_no_page_the_pages_give_the_tablet_its_screen():
    """The idle lock lands on the group's screen, which pages draws: pages names it (its subclass of
    the middleware), so devices reads no setting naming a pages URL."""
    from devices.middleware import TabletMiddleware
    from pages.middleware import TabletMiddleware as PagesTabletMiddleware

    with pytest.raises(ImproperlyConfigured, match="home_url"):
        TabletMiddleware(lambda request: HttpResponse())
    assert "pages.middleware.TabletMiddleware" in settings.MIDDLEWARE
    assert "devices.middleware.TabletMiddleware" not in settings.MIDDLEWARE
    assert url_owner(PagesTabletMiddleware.home_url) == "pages"
    assert not hasattr(settings, "TABLET_HOME_URL")


def test_a_setting_naming_a_higher_apps_url_or_template_is_reported(settings):
    settings.MADE_UP_SCREEN = "tablet_home"
    settings.MADE_UP_TEMPLATE = "pages/home.html"
    settings.MADE_UP_LOGIN = "login"
    code = """
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.shortcuts import resolve_url

def screen():
    return resolve_url(settings.MADE_UP_SCREEN), settings.MADE_UP_TEMPLATE, resolve_url(settings.MADE_UP_LOGIN)
"""
    found = python_violations("devices", code, "devices/made_up.py")
    assert {(v.kind, v.reference, v.owner) for v in found} == {
        ("settings.MADE_UP_SCREEN", "tablet_home", "pages"),
        ("settings.MADE_UP_TEMPLATE", "pages/home.html", "pages"),
    }
    assert python_violations("pages", code, "pages/made_up.py") == []


@pytest.mark.parametrize(
    "check",
    [
        lambda: template_violations("reports", "{% url 'no_such_page' %}", "made_up.html"),
        lambda: template_violations("reports", '{% include "reports/no_such.html" %}', "made_up.html"),
        lambda: python_violations("reports", "redirect('no_such_page')", "made_up.py"),
    ],
)
def test_an_unknown_url_name_or_template_is_an_error_not_a_pass(check):
    with pytest.raises(AssertionError, match="no_such"):
        check()
