"""One week strip (reports/strip.py): one geometry for the summary page, its PDF and the group overview,
and one place for its colours, the custom properties of static/css/strips.css. The drawings carry
classes only; the PDF, whose SVG renderer knows neither the page's CSS nor var(), still shows the
stylesheet's colours (rendered with WeasyPrint, looked at with pdftoppm)."""

import datetime
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from PIL import Image

from organisations.calendar import week_of
from reports import strip
from reports.pdf import render_child_summary_pdf
from reports.strip import StripCell
from reports.summary import child_summary
from tests.conftest import build_cast
from tests.report_data import observe, weeks_ago

ROOT = Path(__file__).resolve().parents[1]
STRIPS_CSS = ROOT / "static/css/strips.css"
OUTPUT_DIR = ROOT / "test-output"
COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b|rgba?\(")
DRAWING = re.compile(r'<svg class="(?:week|matrix)-strip".*?</svg>', re.S)
FRIDAY = datetime.datetime(2026, 12, 4, 11, 0, tzinfo=datetime.UTC)


@pytest.fixture
def sem_in_december(db):
    """Sem on 4 December 2026: too little comfort seeking and too much controlling in five of the last
    seven weeks, and one typical week by a second observer; the rest of the twelve weeks empty."""
    with time_machine.travel(FRIDAY, tick=False):
        cast = build_cast()
        for n in (1, 2, 4, 5, 7):
            observe(cast.child_a, cast.staff_a, weeks_ago(n), {"comfort_seeking": -2, "controlling": 2, "reunion": 0})
        observe(cast.child_a, cast.manager, weeks_ago(2), {"comfort_seeking": 0, "controlling": 0})
        yield cast


def test_the_drawings_on_the_pages_carry_classes_and_no_colours(sem_in_december, client_for):
    cast = sem_in_december
    manager = client_for(cast.manager)
    summary = manager.get(reverse("child_summary", args=[cast.child_a.pk])).content.decode()
    overview = manager.get(reverse("group_overview", args=[cast.group_a.pk])).content.decode()
    drawings = DRAWING.findall(summary) + DRAWING.findall(overview)
    assert len(DRAWING.findall(summary)) == 2  # the two pillars with a pattern to describe
    assert len(DRAWING.findall(overview)) == 8  # Sem's row: every pillar
    for drawing in drawings:
        assert not COLOUR.findall(drawing), drawing[:200]
        assert " fill=" not in drawing and " stroke=" not in drawing
    assert 'class="s-high"' in summary and 'class="s-low"' in summary
    assert 'class="s-high"' in overview and 'class="s-low"' in overview


def test_the_stylesheet_keeps_its_colours_in_custom_properties():
    css = STRIPS_CSS.read_text()
    properties = strip.custom_properties(css)
    assert {"--app-strip-high", "--app-strip-low", "--app-strip-rated", "--app-strip-empty-edge"} <= set(properties)
    rules = re.sub(r":root\s*\{[^}]*\}", "", re.sub(r"/\*.*?\*/", "", css, flags=re.S))
    assert not COLOUR.findall(rules), "a colour outside the custom properties"
    # the page styles take the strips' look from this file, no longer from their own rules
    assert "{% static 'css/strips.css' %}" in (ROOT / "templates/base.html").read_text()
    overview_css = (ROOT / "pages/static/pages/overview.css").read_text()
    assert ".s-high" not in overview_css and ".s-low" not in overview_css


def test_the_pdf_style_is_the_stylesheet_with_its_values_filled_in():
    css = (
        ":root { --a: #d55e00; --b: #0072b2 } /* a comment */ .week-strip .s-high { fill: var(--a); }"
        " .matrix-strip .s-low { stroke: var(--b); }"
    )
    assert strip.resolved_rules(css, ".week-strip") == ".week-strip .s-high { fill: #d55e00; }"
    style = strip.pdf_style()
    assert "var(" not in style
    assert ".week-strip .s-high { fill: #d55e00; }" in style
    assert ".week-strip .s-low { fill: #0072b2; }" in style


def test_the_summary_cells_are_a_group_per_week_with_its_tooltip():
    week = week_of(datetime.date(2026, 3, 2))
    cells = (
        StripCell(x=0, week=week, ratings=0, low=0, high=0, low_height=0, high_height=0, title="Week 10: <none>"),
        StripCell(x=16, week=week, ratings=3, low=0, high=0, low_height=0, high_height=0, title="Week 11 & more"),
        StripCell(x=32, week=week, ratings=3, low=1, high=2, low_height=4.33, high_height=8.67, title="Week 12"),
        StripCell(x=1008, week=week, ratings=7, low=0, high=1, low_height=0, high_height=1.86, title="Week 14"),
    )
    expected = Template(
        '{% for c in p.strip %}<g><title>{{ c.title }}</title>{% if c.is_empty %}<rect class="s-empty" x="{{ c.x }}" '
        'y="2" width="14" height="26"/>{% else %}<rect class="s-rated" x="{{ c.x }}" y="2" width="14" height="26"/>'
        '{% if c.high %}<rect class="s-high" x="{{ c.x }}" y="{{ c.high_y|stringformat:\'s\' }}" width="14" '
        'height="{{ c.high_height|stringformat:\'s\' }}"/>{% endif %}{% if c.low %}<rect class="s-low" x="{{ c.x }}" '
        'y="15" width="14" height="{{ c.low_height|stringformat:\'s\' }}"/>{% endif %}{% endif %}</g>{% endfor %}'
    ).render(Context({"p": SimpleNamespace(strip=cells)}))
    assert strip.cell_shapes(cells) == expected


def test_one_geometry_for_the_summary_and_the_overview(sem_in_december):
    summary = child_summary(sem_in_december.child_a, 12)
    comfort = next(p for p in summary.pillars if p.pillar.code == "comfort_seeking")
    drawing = strip.matrix_svg(comfort.figures, "label")
    bars = dict(re.findall(r"M(\d+) 15v([\d.]+)", re.search(r'class="s-low" d="([^"]*)"', drawing).group(1)))
    assert bars == {str(c.x + strip.CELL // 2): strip._number(c.low_height) for c in comfort.strip if c.low}
    assert f'viewBox="0 0 {strip.width(12)} {strip.MATRIX_HEIGHT}"' in drawing
    assert f'width="{strip.width(12)}" height="{strip.HEIGHT}"' in strip.strip_svg(comfort.strip, "x")


def colour_share(image: Image.Image, hex_colour: str) -> float:
    """The share of the page's pixels in exactly this colour."""
    wanted = tuple(int(hex_colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    counts = {colour: n for n, colour in image.getcolors(image.width * image.height) or []}
    return counts.get(wanted, 0) / (image.width * image.height)


def test_the_pdf_strips_show_the_colours_of_the_stylesheet(sem_in_december):
    assert shutil.which("pdftoppm"), "pdftoppm (poppler-utils) is needed to look at the PDF"
    cast = sem_in_december
    with translation.override("nl"):
        summary = child_summary(cast.child_a, 12, until=FRIDAY.date())
        data = render_child_summary_pdf(summary, made_by=cast.coach, made_on=FRIDAY.date()).data
    OUTPUT_DIR.mkdir(exist_ok=True)
    pdf = OUTPUT_DIR / "week-strip-colours.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", pdf, pdf.with_suffix("")])
    page = Image.open(pdf.with_suffix(".png")).convert("RGB")
    colours = strip.custom_properties(STRIPS_CSS.read_text())
    # five weeks a pillar of bars 13 units high and 14 wide, at 100 dpi: well over 0.05 % of the page each
    for name in ("--app-strip-high", "--app-strip-low", "--app-strip-rated"):
        assert colour_share(page, colours[name]) > 0.0005, name
    assert colour_share(page, "#000000") < 0.0005  # a colour WeasyPrint could not read falls back to black
