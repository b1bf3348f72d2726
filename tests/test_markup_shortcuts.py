"""Markup written in Python for speed (pages/templatetags/chips.py and matrix.py's cells) is the markup
the templates it replaces would write. (The week strips have no template: tests/test_week_strips.py.)"""

import pytest
from django.template import Context, Template
from django.utils import translation

from children.models import Child
from observations.forms import EditObservationForm, NewObservationForm
from pages.templatetags.chips import option_input
from pages.templatetags.matrix import matrix_cell
from reports.figures import weekly_figures
from reports.patterns import Thresholds
from reports.summary import pillar_summary
from tests.observation_factories import make_observation
from tests.report_data import give_recurring_comfort_pattern


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


# A cell of pages/group_overview.html as the template drew it.
TEMPLATE_MATRIX_CELL = Template(
    '{% load matrix %}<td class="matrix-cell pattern-{{ p.pattern.kind }}" data-pillar="{{ p.pillar.code }}" '
    'data-pattern="{{ p.pattern.kind }}">\n      <a class="matrix-link" href="{{ url }}?weken={{ weeks }}#pijler-'
    '{{ p.pillar.code }}"><span class="matrix-cell-pillar">{{ p.pillar.name }}</span>\n'
    '      <span class="matrix-pattern"><span class="matrix-symbol" '
    'aria-hidden="true">{{ p.style.symbol }}</span> <span class="matrix-text"><span class="matrix-word">'
    "{{ p.pattern.label }}</span>"
    "{% if p.pattern.kind == 'mixed' or p.pattern.kind == 'recurring' %}{% if p.pattern.dominant_pole %}"
    ' <span class="matrix-pole pole-{{ p.pattern.dominant_direction }}"><span aria-hidden="true">'
    "{{ p.pattern.dominant_symbol }}</span> {{ p.pattern.dominant_pole }}</span>{% endif %}{% endif %}"
    "</span></span>\n      {{ p|matrix_strip }}</a>\n    </td>"
)
URL = "/kinderen/7/overzicht/"


@pytest.mark.django_db
def test_matrix_cells_are_the_template_cells(cast):
    make_observation(cast.child_a, cast.staff_a)
    give_recurring_comfort_pattern(cast.child_a, [cast.staff_a, cast.manager])
    figures = weekly_figures(cast.child_a, 12)
    kinds = set()
    for pillar in figures.pillars:  # rated and never rated, a recurring attention point with its pole
        p = pillar_summary(pillar, Thresholds.from_settings())
        kinds.add(p.pattern.kind)
        context = Context({"p": p, "url": URL, "weeks": 12})
        assert matrix_cell(p, URL, 12) == TEMPLATE_MATRIX_CELL.render(context)
    assert {"recurring", "not_enough"} <= kinds
    comfort = pillar_summary(figures.pillar("comfort_seeking"), Thresholds.from_settings())
    with translation.override("nl"):
        assert "zoekt geen troost</span>" in matrix_cell(comfort, URL, 12)
        assert 'href="/kinderen/7/overzicht/?weken=12#pijler-comfort_seeking"' in matrix_cell(comfort, URL, 12)
