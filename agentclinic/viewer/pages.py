"""The viewer's pages as HTML strings: Jinja2 templates over the read model, no web framework.

The local server and the static export both call these. Every value a template prints
passes :func:`clean` (terminal escapes, control characters and credentials removed) and is
then HTML-escaped by autoescape; no template marks case or model text safe. Where pages
link is the caller's :class:`Links`: server paths, or file names in a written site.
"""

from __future__ import annotations

import html
from dataclasses import replace
from typing import Protocol
from urllib.parse import quote, urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from ..llm.redact import MASK, redact_secrets
from ..llm.redact import env_secrets  # the keys redact_secrets masks
from ..llm.sanitise import terminal_safe
from ..report.formatting import number, pct
from ..report.html import render_html
from ..report.links import ReportLinks
from .queries import NO_FILTERS, EpisodeList, Filters, RunRow
from .transcript import Transcript


class Links(Protocol):
    """Where pages point. ``static`` pages filter in the browser, server pages by query string."""

    static: bool

    def home(self) -> str: ...
    def report(self, run_id: int) -> str: ...
    def run(self, run_id: int, filters: Filters = NO_FILTERS) -> str: ...
    def episode(self, episode_id: int, filters: Filters = NO_FILTERS) -> str: ...
    def image(self, episode_id: int, image_id: str) -> str | None: ...
    def stylesheet(self) -> str: ...


def _query(filters: Filters) -> str:
    active = filters.active()
    return urlencode(active, quote_via=quote) if active else ""


class ServerLinks:
    """Paths of the local server (``agentclinic view``)."""

    static = False

    def home(self) -> str:
        return "/"

    def report(self, run_id: int) -> str:
        return f"/runs/{run_id}/report"

    def run(self, run_id: int, filters: Filters = NO_FILTERS) -> str:
        query = _query(filters)
        return f"/runs/{run_id}" + (f"?{query}" if query else "")

    def episode(self, episode_id: int, filters: Filters = NO_FILTERS) -> str:
        query = _query(filters)
        return f"/episodes/{episode_id}" + (f"?{query}" if query else "")

    def image(self, episode_id: int, image_id: str) -> str | None:
        return f"/episodes/{episode_id}/images/{quote(image_id, safe='')}"

    def stylesheet(self) -> str:
        return "/static/viewer.css"


# Key values from the environment (``OPENAI_API_KEY`` and the like), read once per page.
_secrets: tuple[str, ...] = ()


def _read_secrets() -> None:
    global _secrets
    _secrets = tuple(sorted(set(env_secrets()), key=len, reverse=True))  # longest first: one may hold another


def _mask(text: str) -> str:
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def clean(value: object) -> object:
    """Jinja's ``finalize``: text loses terminal controls, URL credentials and environment keys
    before it is escaped (a key holding ``&`` or ``<`` no longer reads the same once escaped)."""
    if value is None:
        return ""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    # Printable ASCII holds no control, bidi or surrogate character: most cells skip the regexes.
    text = value if value.isascii() and value.isprintable() else terminal_safe(value)
    text = redact_secrets(text) if "://" in text else text
    return _mask(text) if _secrets else text


def _finish(page: str) -> str:
    """The rendered page with URLs redacted and any environment key still in it masked, written
    as it is or escaped either way (the report's HTML escapes its text itself, not via :func:`clean`)."""
    page = redact_secrets(page)
    for secret in _secrets:
        for form in {str(escape(secret)), html.escape(secret), html.escape(secret, quote=False)}:
            page = page.replace(form, MASK)
    return page


def _render(template: str, **values: object) -> str:
    _read_secrets()
    return _finish(_ENV.get_template(template).render(**values))


def _usd(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"${value:,.{digits}f}"


def _first_line(value: str | None, limit: int = 160) -> str:
    text = (value or "").strip().splitlines()
    line = text[0] if text else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _replace_filter(filters: Filters, **changes: str | None) -> Filters:
    return replace(filters, **changes)


def make_environment() -> Environment:
    """The template environment: autoescape on for every template, strict about unknown names."""
    env = Environment(loader=PackageLoader("agentclinic.viewer", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      finalize=clean, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(pct=pct, number=number, usd=_usd, first_line=_first_line, refilter=_replace_filter, clean=clean)
    return env


_ENV = make_environment()


def render_runs(runs: list[RunRow], links: Links, title: str = "AgentClinic runs") -> str:
    """The list of runs."""
    return _render("runs.html", runs=runs, links=links, title=title)


def render_episodes(listing: EpisodeList, links: Links) -> str:
    """A run's episodes with filters, counts and accuracy of the filtered set."""
    return _render("episodes.html", listing=listing, run=listing.run, filters=listing.filters, links=links,
                   names=Filters.names(), title=f"Run {listing.run.id} episodes")


def render_transcript(page: Transcript, links: Links, filters: Filters = NO_FILTERS) -> str:
    """One episode: case, turns, tool uses, verdict, judges, metrics and survey."""
    return _render("transcript.html", page=page, episode=page.episode, case=page.case, filters=filters, links=links,
                   title=f"Episode {page.episode.id} · {page.episode.scenario_id}")


def render_missing(what: str, links: Links) -> str:
    """A page saying what was not found."""
    return _render("missing.html", what=what, links=links, title="Not found", heading="Not found")


def render_error(what: str, links: Links) -> str:
    """A page saying, in one line, what failed (a damaged row, a database error)."""
    return _render("missing.html", what=_first_line(what, 300), links=links, title="Error",
                   heading="This page cannot be shown")


def report_links(links: Links) -> ReportLinks:
    """The report's links into these pages."""
    return ReportLinks(run=lambda run_id: links.run(run_id),
                       case=lambda run_id, case_id: links.run(run_id, Filters(case=case_id)),
                       home=links.home())


def render_report(summary: dict, links: Links, title: str) -> str:
    """The HTML report of :mod:`agentclinic.report.html`, linking into these pages where it can."""
    _read_secrets()
    return _finish(render_html(summary, title=title, links=report_links(links)))
