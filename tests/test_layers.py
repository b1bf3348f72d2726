"""The house plan beyond Python imports.

import-linter (`make test`, contract "house-plan" in pyproject.toml) keeps a lower app from
importing a higher one. A lower app can also lean on a higher one without an import: by
including or extending its template, by linking its URL with {% url %}, or by reverse()/redirect()
with its URL name. This module checks those references against the same layers, read from
pyproject.toml, so the order lives in one place.

Ownership: a template belongs to the app whose templates/ folder holds the file Django loads
for its name; the project-level templates/ (base.html, registration/) is the shell any app may
use. A URL belongs to the app of its view's module; URLs of Django itself (login, set_language,
the admin) belong to no floor and may be linked from anywhere.
"""

import ast
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from django.template import TemplateDoesNotExist, engines
from django.template.backends.django import Template as DjangoTemplate
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parents[1]

TEMPLATE_REFERENCE = re.compile(r"""\{%-?\s*(include|extends)\s+(["'])(?P<name>[^"']+)\2""")
URL_TAG = re.compile(r"""\{%-?\s*url\s+(["'])(?P<name>[^"']+)\1""")
URL_FUNCTIONS = {"reverse", "reverse_lazy", "redirect", "resolve_url"}
TEMPLATE_LITERAL = re.compile(r"^(?P<app>[a-z_]+)/[\w./-]+\.(html|txt|xml)$")


@cache
def layers() -> tuple[str, ...]:
    """The apps bottom to top, from the layers contract in pyproject.toml."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    assert len(contracts) == 1, "expected exactly one layers contract in pyproject.toml"
    return tuple(reversed(contracts[0]["layers"]))  # the contract lists them top to bottom


def floor(app: str) -> int:
    return layers().index(app)


@dataclass(frozen=True)
class Violation:
    source: str
    kind: str
    reference: str
    owner: str

    def __str__(self) -> str:
        return f"{self.source}: {self.kind} {self.reference!r} belongs to higher app {self.owner!r}"


def app_of_path(path: Path) -> str | None:
    """The app whose templates/ (or package) holds path; None for the shell and for libraries."""
    try:
        parts = Path(path).resolve().relative_to(ROOT).parts
    except ValueError:
        return None
    return parts[0] if parts and parts[0] in layers() else None


@cache
def template_owner(name: str) -> str | None:
    """The app of the file Django loads for a template name (None: the shell or a library)."""
    try:
        template = engines["django"].get_template(name)
    except TemplateDoesNotExist as exc:
        raise AssertionError(f"template {name!r} does not exist") from exc
    assert isinstance(template, DjangoTemplate)
    return app_of_path(Path(template.origin.name))


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
        if isinstance(node, ast.Call) and _function_name(node.func) in URL_FUNCTIONS:
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


def app_templates(app: str) -> list[Path]:
    return sorted(p for p in (ROOT / app / "templates").rglob("*") if p.is_file())


def app_python(app: str) -> list[Path]:
    return sorted(p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts)


def tree_violations() -> tuple[list[Violation], int]:
    """Every violation in the apps' templates and Python code, and how many references were seen."""
    found, seen = [], 0
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
    assert template_owner("base.html") is None  # the shell
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
