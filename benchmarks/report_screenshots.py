"""Full-page screenshots of the HTML report at desktop and phone widths (prints sizes; not a test).

    python benchmarks/report_screenshots.py --db sqlite:///runs/agentclinic.db --out shots/ [--run 1 --run 2]

Renders the report of the runs named (default: every run in the database, oldest first) to
``OUT/report.html``, opens it in the system's headless Chromium (Debian ``chromium``, driven by
Playwright; nothing is downloaded) at 1280, 1600 and 390 px wide, saves ``OUT/report-<width>.png``
and prints each screenshot's pixel size and kilobytes, with the layout checks the browser test
makes: the page never scrolls sideways, every table sits in its own scroll box, every image decoded.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

WIDTHS = (1280, 1600, 390)
# Keep Chromium off Google's services: the machines this runs on have no way out.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Measured in the page: sideways overflow, tables outside a scroll box, images that failed to decode.
_MEASURE = """() => ({
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  tables: document.querySelectorAll('table').length,
  unwrapped: [...document.querySelectorAll('table')].filter(t => {
    const box = t.parentElement;
    return !(box.classList.contains('table-wrap') && ['auto', 'scroll'].includes(getComputedStyle(box).overflowX));
  }).length,
  scrolling: [...document.querySelectorAll('.table-wrap')].filter(b => b.scrollWidth > b.clientWidth).length,
  images: document.images.length,
  undecoded: [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).length,
})"""


@dataclass(frozen=True)
class Shot:
    """One full-page screenshot and what the page measured at that width."""

    width: int
    path: Path
    pixels: tuple[int, int]
    size_bytes: int
    layout: dict

    def line(self) -> str:
        layout = self.layout
        return (f"{self.width:>5} px viewport: {self.pixels[0]}×{self.pixels[1]} px, {self.size_bytes / 1024:.0f} KB "
                f"(page scroll width {layout['scrollWidth']} of {layout['innerWidth']}; {layout['tables']} tables, "
                f"{layout['unwrapped']} outside a scroll box, {layout['scrolling']} wider than it; {layout['images']} images, "
                f"{layout['undecoded']} not decoded)")


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header (its IHDR chunk); ValueError for anything else."""
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise ValueError(f"{path} is not a PNG")
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def capture(browser, html_path: Path, out: Path, widths=WIDTHS) -> list[Shot]:
    """Open ``html_path`` at each width in a Playwright ``browser`` and take a full-page screenshot."""
    shots = []
    for width in widths:
        page = browser.new_page(viewport={"width": width, "height": 900})
        try:
            page.goto(html_path.resolve().as_uri(), wait_until="load")
            layout = page.evaluate(_MEASURE)
            path = out / f"report-{width}.png"
            page.screenshot(path=str(path), full_page=True)
        finally:
            page.close()
        shots.append(Shot(width, path, png_size(path), path.stat().st_size, layout))
    return shots


@contextmanager
def chromium() -> Iterator:
    """The system's headless Chromium through Playwright."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        sys.exit("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sys.exit("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def write_report(db: str, run_ids: list[int], out: Path) -> Path:
    """The HTML report of ``run_ids`` (all runs when empty) written to ``out/report.html``."""
    from agentclinic.report.dataset import load_dataset
    from agentclinic.report.html import render_html
    from agentclinic.report.summary import build_summary
    from agentclinic.store import Store

    store = Store(db)
    try:
        ids = run_ids or sorted(run.id for run in store.runs(limit=10_000))
        html = render_html(build_summary(load_dataset(store, ids)))
    finally:
        store.close()
    out.mkdir(parents=True, exist_ok=True)
    path = out / "report.html"
    path.write_text(html, encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="database URL, e.g. sqlite:///runs/agentclinic.db")
    parser.add_argument("--out", required=True, type=Path, help="folder for report.html and the screenshots")
    parser.add_argument("--run", type=int, action="append", default=[], help="run id (repeatable); default all")
    args = parser.parse_args()
    html_path = write_report(args.db, args.run, args.out)
    print(f"{html_path}: {html_path.stat().st_size / 1024:.0f} KB")
    with chromium() as browser:
        for shot in capture(browser, html_path, args.out):
            print(f"{shot.path}: {shot.line()}")


if __name__ == "__main__":
    main()
