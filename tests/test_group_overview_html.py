"""The group overview stays small at 52 weeks: one drawing per week strip, its look in CSS classes
(no style attribute per cell), and each drawing shows the figures of its cell (issue 13)."""

import re

import pytest
from django.urls import reverse

from reports.overview import group_overview
from tests.overview_data import fill_group
from tests.report_data import give_recurring_comfort_pattern

pytestmark = pytest.mark.django_db


def matrix_html(client, group, weeks):
    response = client.get(reverse("group_overview", args=[group.pk]) + f"?weken={weeks}")
    assert response.status_code == 200
    html = response.content.decode()
    return html, html[html.index('id="matrix"') : html.index("</table>", html.index('id="matrix"'))]


def test_a_52_week_matrix_of_16_children_stays_under_200_kB(cast, client_for):
    give_recurring_comfort_pattern(cast.child_a, [cast.staff_a, cast.manager])
    fill_group(cast.group_a, [cast.staff_a, cast.manager], children=15, weeks=52, per_week=3)
    html, matrix = matrix_html(client_for(cast.manager), cast.group_a, 52)
    assert len(html.encode()) < 200 * 1024, len(html.encode())
    assert matrix.count('<svg class="matrix-strip"') == 16 * 8
    assert " style=" not in matrix  # the looks live in CSS classes (and a coming CSP allows no inline style)
    assert matrix.count("<path ") <= 16 * 8 * 5  # at most five shapes a strip, whatever the weeks


def test_each_drawing_shows_the_figures_of_its_cell(cast, client_for):
    give_recurring_comfort_pattern(cast.child_a, [cast.staff_a, cast.manager])
    html, matrix = matrix_html(client_for(cast.manager), cast.group_a, 12)
    row = group_overview(cast.group_a, 12).rows[0]
    cell = row.pillar("comfort_seeking")
    found = re.search(r'data-pillar="comfort_seeking" data-pattern="recurring">(.*?)</td>', matrix, re.S)
    assert found, "the comfort-seeking cell of Sem"
    drawing = found.group(1)
    empty = re.search(r'class="s-empty" d="([^"]*)"', drawing)
    low = re.search(r'class="s-low" d="([^"]*)"', drawing)
    weeks = cell.figures.weeks
    assert (empty.group(1).count("M") if empty else 0) == sum(1 for w in weeks if not w.ratings)
    assert low and low.group(1).count("M") == sum(1 for w in weeks if w.low)
    assert 'class="s-high"' not in drawing  # never too much
    # the bar of a week is its share of that week's ratings, as in the child's own strip
    strip = {c.x + 7: c.low_height for c in cell.strip if c.low}
    for x, height in re.findall(r"M(\d+) 15v([\d.]+)", low.group(1)):
        assert abs(float(height) - strip[int(x)]) < 0.06
    assert f"beoordeeld in {sum(1 for w in weeks if w.ratings)} van 12 weken" in drawing
