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
    'data-pattern="{{ p.pattern.kind }}">\n      <span class="matrix-pattern"><span class="matrix-symbol" '
    'aria-hidden="true">{{ p.style.symbol }}</span> <span class="matrix-word">{{ p.pattern.label }}</span></span>\n'
    "      {% if p.pattern.kind == 'mixed' or p.pattern.kind == 'recurring' %}{% if p.pattern.dominant_pole %}"
    '<span class="matrix-pole pole-{{ p.pattern.dominant_direction }}"><span aria-hidden="true">'
    "{{ p.pattern.dominant_symbol }}</span> {{ p.pattern.dominant_pole }}</span>\n      {% endif %}{% endif %}"
    "{{ p|matrix_strip }}\n    </td>"
)


@pytest.mark.django_db
def test_matrix_cells_are_the_template_cells(cast):
    make_observation(cast.child_a, cast.staff_a)
    give_recurring_comfort_pattern(cast.child_a, [cast.staff_a, cast.manager])
    figures = weekly_figures(cast.child_a, 12)
    kinds = set()
    for pillar in figures.pillars:  # rated and never rated, a recurring attention point with its pole
        p = pillar_summary(pillar, Thresholds.from_settings())
        kinds.add(p.pattern.kind)
        assert matrix_cell(p) == TEMPLATE_MATRIX_CELL.render(Context({"p": p}))
    assert {"recurring", "not_enough"} <= kinds
    comfort = pillar_summary(figures.pillar("comfort_seeking"), Thresholds.from_settings())
    with translation.override("nl"):
        assert "zoekt geen troost</span>" in matrix_cell(comfort)
