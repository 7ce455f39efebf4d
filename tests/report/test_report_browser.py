"""The HTML report in a real browser (headless Debian Chromium): at 1280, 1600 and 390 px the
page never scrolls sideways, every table scrolls in its own box (and at desktop widths none
needs to), every figure decodes, and full-page screenshots are real PNGs of a sane size.

The report is of a real sweep run by the CLI: the scripted doctor under four personas, with and
without doctor tools, two trials, at two turn budgets, so it has many conditions and every wide
table.

Playwright's sync API keeps an asyncio loop running in this thread while a browser is open, so
``asyncio.run`` fails until it closes: the sweep is run by the CLI in its own process, and the
browser fixture is module-scoped, so the many later tests that run episodes with ``asyncio.run``
still can.
"""

import functools
import importlib.util
import subprocess
import sys

import pytest
from conftest import REPO
from PIL import Image

from agentclinic.report.dataset import load_dataset
from agentclinic.report.html import render_html
from agentclinic.report.summary import build_summary
from agentclinic.store import Store

SCRIPT = REPO / "benchmarks" / "report_screenshots.py"
SWEEP = ["--limit", "2", "--trials", "2", "--doctor-bias", "none,confirmation", "--patient-bias",
         "none,self_diagnosis", "--doctor-tools", "none,rag+notebook"]


@functools.cache
def screenshots_module():
    """benchmarks/report_screenshots.py, whose capture() these tests share with the script."""
    spec = importlib.util.spec_from_file_location("report_screenshots", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def chromium(browser):
    """The module's headless Chromium (tests/conftest.py's ``browser``, closed when the module ends)."""
    return browser


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    """The database URL and the written report of two real sweep runs (20 and 8 turns)."""
    folder = tmp_path_factory.mktemp("browser")
    db = f"sqlite:///{folder / 'runs.db'}"
    for turns in ("20", "8"):
        done = subprocess.run([sys.executable, "-m", "agentclinic", "run", "-q", "--db", db, "--max-turns", turns,
                               *SWEEP], check=False, capture_output=True, text=True, timeout=300, cwd=REPO)
        assert done.returncode == 0, done.stdout + done.stderr
    store = Store(db)
    summary = build_summary(load_dataset(store, sorted(run.id for run in store.runs())))
    store.close()
    assert len(summary["conditions"]) == 16 and summary["paired"] and summary["doctor_tools"]
    path = folder / "report.html"
    path.write_text(render_html(summary), encoding="utf-8")
    return db, path


@pytest.mark.parametrize("width", [1280, 1600, 390])
def test_the_report_fits_every_width_and_its_screenshots_are_real(chromium, sweep, width, tmp_path):
    _, html = sweep
    [shot] = screenshots_module().capture(chromium, html, tmp_path, [width])
    layout = shot.layout
    print(f"\nreport screenshot {shot.line()}")
    assert layout["innerWidth"] == width
    assert layout["scrollWidth"] <= layout["innerWidth"]  # the page itself never scrolls sideways
    assert layout["tables"] >= 10 and layout["unwrapped"] == 0  # each table in an overflow-x:auto box
    if width >= 1280:  # wide screens show every column: no table needs its scroll box
        assert layout["scrolling"] == 0
    assert layout["images"] >= 4 and layout["undecoded"] == 0
    with Image.open(shot.path) as png:
        png.load()
        assert png.format == "PNG" and png.size == shot.pixels
        assert png.width == width and 3000 < png.height < 40_000  # a long report, not a blank window
        colours = png.convert("RGB").getcolors(maxcolors=1 << 16)
        assert colours is None or len(colours) > 50  # text, tables and figures, not one flat colour
    assert 50_000 < shot.size_bytes < 8_000_000


def test_the_screenshot_script_prints_each_size(chromium, sweep, tmp_path):
    db, _ = sweep
    done = subprocess.run([sys.executable, str(SCRIPT), "--db", db, "--out", str(tmp_path / "shots")],
                          check=False, capture_output=True, text=True, timeout=300, cwd=REPO)
    assert done.returncode == 0, done.stderr
    print("\n" + done.stdout)
    for width in (1280, 1600, 390):
        assert (tmp_path / "shots" / f"report-{width}.png").is_file()
        assert f"{width} px viewport: {width}×" in done.stdout
    assert done.stdout.count(" KB (page scroll width") == 3 and (tmp_path / "shots" / "report.html").is_file()
