"""Screenshots at a phone's and a tablet's width, with the checks of issue 12 on the way: axe-core,
sideways scroll, tap targets under 44 px, and the Nu HTML Checker (as in test_every_page.py, for pages
that tour cannot reach: a registered tablet's screens, the entry form's offline states)."""

import json
import shutil
import subprocess
from pathlib import Path

WIDTHS = (390, 768)
VNU_JAR = Path(__file__).resolve().parents[2] / ".tools/node_modules/vnu-jar/build/dist/vnu.jar"

SMALL_TARGETS_JS = """(scope) => [...document.querySelectorAll(scope)]
  .flatMap((root) => [...root.querySelectorAll('.btn, .form-control, .form-select, .tablet-person, a')])
  .filter((el) => !el.closest('p, li, dd, .form-text') || el.classList.contains('btn'))
  .map((el) => [el, el.getBoundingClientRect()])
  .filter(([el, r]) => r.width > 0 && (r.width < 43.5 || r.height < 43.5))
  .map(([el, r]) => `${el.textContent.trim().slice(0, 30)} ${Math.round(r.width)}x${Math.round(r.height)}`)"""


def shoot(page, output_dir, name, problems=None, scope="main", widths=WIDTHS):
    """Screenshots at a phone's and a tablet's width, back to the tablet's width after. With a list
    `problems`: sideways scroll of the page, and within `scope` (a CSS selector) what axe-core finds
    and tap targets under 44 px (links inside running text excepted); the HTML goes to the Nu HTML
    Checker (`html_errors`). `widths` replaces the phone's and the tablet's width where a page needs
    others (the import's dry run at 1280 px). The navigation, the footer and the entry form as such are
    test_every_page.py's."""
    from axe_playwright_python.sync_playwright import Axe

    for width in widths:
        page.set_viewport_size({"width": width, "height": 1024})
        page.screenshot(path=str(output_dir / f"{name}-{width}.png"), full_page=True)
        if problems is not None:
            if page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"):
                problems.append(f"{name}-{width}: the page scrolls sideways")
            problems += [f"{name}-{width}: small target {t}" for t in page.evaluate(SMALL_TARGETS_JS, scope)]
            found = Axe().run(page, context=scope).response["violations"]
            problems += [
                f"{name}-{width}: axe {v['id']} {v['help']} {[n['target'] for n in v['nodes']]}" for v in found
            ]
    if problems is not None:
        (output_dir / "html").mkdir(exist_ok=True)
        (output_dir / "html" / f"{name}.html").write_text(page.content())
    page.set_viewport_size({"width": 768, "height": 1024})


def html_errors(output_dir, names):
    """The Nu HTML Checker (see test_every_page.py) on the pages shot above."""
    java = shutil.which("java")
    if not (java and VNU_JAR.exists()):
        return []  # test_every_page.py says how to install it, and fails in CI without it
    files = [str(output_dir / "html" / f"{name}.html") for name in names]
    result = subprocess.run(
        [java, "-Xss2m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stdout or result.stderr)["messages"]
    return [f"{Path(m.get('url', '')).name}: {m['message']}" for m in messages if m["type"] != "info"]
