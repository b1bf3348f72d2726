"""A PDF worker's memory over 1,000 PDFs: flat with the one shared font configuration.

    .venv/bin/python bench/pdf_memory.py [count]     # default 1000; uses the bench_scale database

Renders the 52-week summary of the fullest group's busiest child of the scale organisation
(seed_scale; bench/run builds it) `count` times in the PDF pool (reports/pdf_render.py), reading the
pool process's resident memory every 100 PDFs; then, for comparison, 300 in a fresh process the old
way (a new FontConfiguration per document). One table, printed and written to bench/results/.
"""

import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from server import DATABASE_URL, required  # noqa: E402

os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attachment_site.settings_test")
os.environ["PDF_WORKERS"] = "1"

import django  # noqa: E402

django.setup()


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def render_old_way(html: str) -> int:
    """A new FontConfiguration per document, as WeasyPrint does when given none (before issue 13)."""
    from weasyprint import HTML

    from reports.pdf import BASE_URL, RestrictedURLFetcher

    HTML(string=html, base_url=BASE_URL, url_fetcher=RestrictedURLFetcher()).write_pdf()
    return os.getpid()


def main() -> None:
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from django.template.loader import render_to_string
    from django.utils import translation

    from children.models import Child
    from organisations.calendar import today
    from reports import pdf_render
    from reports.pdf import BASE_URL, RestrictedURLFetcher, page_frame
    from reports.summary import child_summary
    from staff.models import User

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    translation.activate("nl")
    manager = User.objects.get(email="manager@scale.example.org")
    location = required(manager.memberships.get().location, "the manager's location")
    child = required(
        Child.objects.placed_on(today(), groups=location.groups.all()).order_by("pk").first(), "a child of the location"
    )
    summary = child_summary(child, 52)
    html = render_to_string(
        "reports/summary_pdf.html",
        {
            "summary": summary,
            "made_by": manager.display_name,
            "made_on": today(),
            "pdf": True,
            "frame": page_frame(child.full_name, "Waarnemingen van medewerkers, geen diagnose."),
        },
    )
    pool = pdf_render.pool()
    pid, nice = pool.submit(pdf_render.process_info).result()
    rows = [("shared font configuration (now)", 0, rss_kb(pid))]
    started = time.perf_counter()
    for n in range(1, count + 1):
        pool.submit(pdf_render.render, html, BASE_URL, RestrictedURLFetcher).result()
        if n % 100 == 0:
            rows.append(("shared font configuration (now)", n, rss_kb(pid)))
            print(f"{n:5d} PDFs: {rss_kb(pid) / 1024:6.1f} MB", flush=True)
    per_pdf = (time.perf_counter() - started) / count
    old = ProcessPoolExecutor(max_workers=1, mp_context=get_context("fork"))
    old_pid = old.submit(os.getpid).result()
    rows.append(("a new font configuration per PDF (before)", 0, rss_kb(old_pid)))
    for n in range(1, 301):
        old.submit(render_old_way, html).result()
        if n % 100 == 0:
            rows.append(("a new font configuration per PDF (before)", n, rss_kb(old_pid)))
            print(f"old way {n:5d} PDFs: {rss_kb(old_pid) / 1024:6.1f} MB", flush=True)
    lines = [
        f"# PDF worker memory, {datetime.datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"The 52-week summary PDF of one child, {count} times in the PDF pool process (niceness {nice}), "
        f"{per_pdf * 1000:.0f} ms a PDF on average (load average {os.getloadavg()[0]:.1f}).",
        "",
        "| how | PDFs | resident memory |",
        "| --- | ---: | ---: |",
        *[f"| {how} | {n} | {kb / 1024:.1f} MB |" for how, n, kb in rows],
    ]
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    out = ROOT / "bench" / "results" / f"pdf-memory-{datetime.datetime.now():%Y%m%d-%H%M}.md"
    out.write_text(text)
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
