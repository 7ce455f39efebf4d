"""The viewer's pages written as a static site: open ``index.html`` from disk, no server.

``index.html`` is the HTML report, its run and case names linking to the pages beside it:
``runs.html``, ``run-<id>.html`` (the episode list, filtered in the browser by a small
inline script, since nothing answers queries) and ``episode-<id>.html`` (transcripts), with
case images copied under ``images/``. Pages are the same templates the server renders.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from urllib.parse import quote, urlencode

from ..report.dataset import load_dataset, resolve_run_ids
from ..report.summary import build_summary
from ..store import Store
from .images import ImageFinder
from .pages import render_episodes, render_report, render_runs, render_transcript
from .queries import NO_FILTERS, Filters, episode_list, run_rows
from .transcript import Transcript, transcript


class SiteLinks:
    """Relative file names; filters travel in the URL's ``#hash``, which the page's script reads."""

    static = True

    def __init__(self) -> None:
        self.images: dict[tuple[int, str], str] = {}  # (episode, image id) -> copied file

    def home(self) -> str:
        return "runs.html"

    def report(self, run_id: int) -> str:
        return "index.html"

    def run(self, run_id: int, filters: Filters = NO_FILTERS) -> str:
        active = filters.active()
        return f"run-{run_id}.html" + (f"#{urlencode(active, quote_via=quote)}" if active else "")

    def episode(self, episode_id: int, filters: Filters = NO_FILTERS) -> str:
        return f"episode-{episode_id}.html"

    def image(self, episode_id: int, image_id: str) -> str | None:
        return self.images.get((episode_id, image_id))

    def stylesheet(self) -> str:
        return "viewer.css"


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def image_name(digest: str, image_id: str, suffix: str) -> str:
    """The copied image's file name under ``images/``: nothing of the log's text goes into it
    unchecked (a crafted digest or id could name ``../../x``), only a hash and safe characters."""
    key = hashlib.sha256(digest.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    safe_id = re.sub(r"[^A-Za-z0-9_-]", "_", image_id)[:64]
    if safe_id != image_id:  # two ids differing only in unsafe characters must not share a file
        safe_id += "-" + hashlib.sha256(image_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{key}-{safe_id}{suffix}"


def _copy_images(page: Transcript, finder: ImageFinder, links: SiteLinks, out_dir: Path) -> None:
    """Copy the images the page shows into ``images/``, once per case content and image id."""
    episode = page.episode
    wanted = {img.id for img in page.case_images if img.available}
    wanted |= {img.id for item in page.items if item.kind == "turn" for img in item.images if img.available}
    folder = (out_dir / "images").resolve()
    for image_id in sorted(wanted):
        found = finder.lookup(page.run.scenarios, episode.scenario_id, page.case, image_id).found
        if found is None:
            continue
        name = image_name(episode.case_digest or episode.scenario_id, image_id, found.suffix)
        target = (folder / name).resolve()
        if target.parent != folder:  # cannot happen with the name above; never write elsewhere if it did
            raise ValueError(f"refusing to write an image outside {folder}: {target}")
        if not target.is_file():
            folder.mkdir(exist_ok=True)
            shutil.copyfile(found.path, target)
        links.images[(episode.id or 0, image_id)] = f"images/{name}"


def _write_run(store: Store, run_id: int, finder: ImageFinder, links: SiteLinks, out_dir: Path) -> int:
    """A run's episode list and every transcript of it; returns how many episodes."""
    listing = episode_list(store, run_id)
    if listing is None:
        return 0
    _write(out_dir / f"run-{run_id}.html", render_episodes(listing, links))
    order = [row.id for row in listing.rows]
    for row in listing.rows:
        page = transcript(store, row.id, finder, order=order)
        if page is None:
            continue
        _copy_images(page, finder, links, out_dir)
        _write(out_dir / f"episode-{row.id}.html", render_transcript(page, links))
    return len(listing.rows)


def write_site(store: Store, run_ids: Sequence[int], out_dir: Path, *, summary: dict | None = None,
               title: str = "AgentClinic report", finder: ImageFinder | None = None) -> Path:
    """Write the report and the viewer's pages for ``run_ids`` into ``out_dir``; returns ``index.html``.

    ``summary`` is the report's (:func:`~agentclinic.report.summary.build_summary`); by default
    one is built over ``run_ids`` with the in-run judgements.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    links, finder = SiteLinks(), finder or ImageFinder()
    runs = run_rows(store, resolve_run_ids(store, run_ids))  # none: the latest; an unknown id: ReportError
    _write(out_dir / "runs.html", render_runs(runs, links))
    for run in runs:
        _write_run(store, run.id, finder, links, out_dir)
    stylesheet = resources.files("agentclinic.viewer").joinpath("static/viewer.css").read_bytes()
    (out_dir / "viewer.css").write_bytes(stylesheet)
    if summary is None:
        summary = build_summary(load_dataset(store, [run.id for run in runs]))
    index = out_dir / "index.html"
    _write(index, render_report(summary, links, title=title))
    return index
