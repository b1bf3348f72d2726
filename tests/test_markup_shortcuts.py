"""Markup written in Python for speed (pages/templatetags/chips.py, strips.py and matrix.py's cells)
is the markup the templates it replaces would write."""

import datetime
from types import SimpleNamespace

import pytest
from django.template import Context, Template

from children.models import Child
from observations.forms import EditObservationForm, NewObservationForm
from organisations.calendar import week_of
from pages.templatetags.chips import option_input
from pages.templatetags.matrix import matrix_cell
from pages.templatetags.strips import strip_cells
from reports.figures import weekly_figures
from reports.patterns import Thresholds
from reports.summary import StripCell, pillar_summary
from tests.observation_factories import make_observation

# The cells of pages/_week_strip.html as the template drew them, one node at a time.
TEMPLATE_CELLS = Template(
    '{% for c in p.strip %}<g><title>{{ c.title }}</title>{% if c.is_empty %}<rect x="{{ c.x }}" y="2" '
    'width="14" height="26" fill="#ffffff" stroke="#9aa0a6" stroke-width="1" stroke-dasharray="2 2"/>{% else %}'
    '<rect x="{{ c.x }}" y="2" width="14" height="26" fill="#e9f0ee" stroke="#5f6f6a" stroke-width="1"/>'
    '{% if c.high %}<rect x="{{ c.x }}" y="{{ c.high_y|stringformat:\'s\' }}" width="14" '
    'height="{{ c.high_height|stringformat:\'s\' }}" fill="#d55e00"/>{% endif %}{% if c.low %}'
    '<rect x="{{ c.x }}" y="15" width="14" height="{{ c.low_height|stringformat:\'s\' }}" '
    'fill="#0072b2"/>{% endif %}{% endif %}</g>{% endfor %}'
)


def _forms() -> list[NewObservationForm | EditObservationForm]:
    child = Child(pk=7)
    unbound = NewObservationForm(child=child, initial={"child": 7, "situation": "meal"})
    bound = EditObservationForm(
        {"child": "7", "situation": "sleep", "circumstances": ["ill", "<x>"], "version": "1"}, child=child
    )
    bound.is_valid()
    return [unbound, bound]


@pytest.mark.parametrize("form", _forms())
@pytest.mark.parametrize("field", ["situation", "circumstances"])
def test_option_input_is_the_widget_tag(form, field):
    options = list(form[field])
    assert options
    for option in options:
        assert option_input(option) == option.tag()


def test_strip_cells_are_the_template_cells():
    week = week_of(datetime.date(2026, 3, 2))
    cells = (
        StripCell(x=0, week=week, ratings=0, low=0, high=0, low_height=0, high_height=0, title="Week 10: <none>"),
        StripCell(x=16, week=week, ratings=3, low=0, high=0, low_height=0, high_height=0, title="Week 11 & more"),
        StripCell(x=32, week=week, ratings=3, low=1, high=2, low_height=4.33, high_height=8.67, title="Week 12"),
        StripCell(x=48, week=week, ratings=2, low=2, high=0, low_height=13.0, high_height=0, title="Week 13"),
        StripCell(x=1008, week=week, ratings=7, low=0, high=1, low_height=0, high_height=1.86, title="Week 14"),
    )
    p = SimpleNamespace(strip=cells)
    assert strip_cells(p) == TEMPLATE_CELLS.render(Context({"p": p}))


# A cell of pages/group_overview.html as the template drew it.
TEMPLATE_MATRIX_CELL = Template(
    '{% load matrix %}<td class="matrix-cell pattern-{{ p.pattern.kind }}" data-pillar="{{ p.pillar.code }}" '
    'data-pattern="{{ p.pattern.kind }}">\n      <span class="matrix-pattern"><span class="matrix-symbol" '
    'aria-hidden="true">{{ p.style.symbol }}</span> <span class="matrix-word">{{ p.pattern.label }}</span></span>\n'
    "      {{ p|matrix_strip }}\n    </td>"
)


@pytest.mark.django_db
def test_matrix_cells_are_the_template_cells(cast):
    make_observation(cast.child_a, cast.staff_a)
    figures = weekly_figures(cast.child_a, 12)
    for pillar in figures.pillars:  # rated and never rated
        p = pillar_summary(pillar, Thresholds.from_settings())
        assert matrix_cell(p) == TEMPLATE_MATRIX_CELL.render(Context({"p": p}))
