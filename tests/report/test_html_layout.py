"""The HTML report's page structure: a viewport, every table in its own scroll box, figures
beside their tables; and, given ReportLinks, run and case ids as escaped links to the viewer."""

import asyncio
from html.parser import HTMLParser

import pytest

from agentclinic.persona import Persona
from agentclinic.report.dataset import load_dataset
from agentclinic.report.html import render_html
from agentclinic.report.html_parts import safe_href
from agentclinic.report.links import ReportLinks
from agentclinic.report.summary import build_summary
from agentclinic.runner import RunConfig, run_batch
from agentclinic.store import Store

VOID = frozenset({"meta", "img", "br", "hr", "input", "link", "wbr"})  # elements with no end tag


class Tree(HTMLParser):
    """Start tags with their attributes and the chain of open elements above each."""

    def __init__(self):
        super().__init__()
        self.open: list[tuple[str, dict]] = []
        self.tags: list[tuple[str, dict, list[tuple[str, dict]]]] = []
        self.anchors: list[dict] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs, list(self.open)))
        if tag == "a":
            self.anchors.append({"href": attrs.get("href"), "text": ""})
        if tag not in VOID:
            self.open.append((tag, attrs))

    def handle_endtag(self, tag):
        while self.open:
            if self.open.pop()[0] == tag:
                break

    def handle_data(self, data):
        self.text.append(data)
        if self.open and any(tag == "a" for tag, _ in self.open[-1:]):
            self.anchors[-1]["text"] += data


def parse(html: str) -> Tree:
    tree = Tree()
    tree.feed(html)
    tree.close()
    return tree


@pytest.fixture(scope="module")
def two_runs(core_pack, tmp_path_factory):
    """Two real runs over the same cases (budgets 20 and 8), two conditions each."""
    db = f"sqlite:///{tmp_path_factory.mktemp('layout') / 'runs.db'}"
    personas = [Persona(), Persona(doctor_biases=("confirmation",))]
    ids = [asyncio.run(run_batch(RunConfig(db=db, limit=2, max_turns=turns, personas=personas), pack=core_pack)).run_id
           for turns in (20, 8)]
    return build_summary(load_dataset(Store(db), ids)), ids


def test_every_table_sits_in_a_scroll_box_and_the_page_has_a_viewport(two_runs):
    summary, _ = two_runs
    tree = parse(render_html(summary))
    metas = [attrs for tag, attrs, _ in tree.tags if tag == "meta"]
    assert {"name": "viewport", "content": "width=device-width, initial-scale=1"} in metas
    tables = [(attrs, above) for tag, attrs, above in tree.tags if tag == "table"]
    assert len(tables) >= 8
    for _, above in tables:
        tag, attrs = above[-1]
        assert tag == "div" and attrs["class"] == "table-wrap" and attrs["tabindex"] == "0"
    assert any(".table-wrap{overflow-x:auto" in chunk for chunk in tree.text)  # the page's own style sheet


def test_a_figure_follows_its_table(two_runs):
    summary, _ = two_runs
    order = [(tag, attrs.get("id") or attrs.get("alt")) for tag, attrs, _ in parse(render_html(summary)).tags
             if tag in ("h2", "img")]
    names = [name for _, name in order]
    assert names.index("t-accuracy-by-condition") < names.index("Accuracy by condition") < names.index(
        "Accuracy against cost") < names.index("t-accuracy-by-doctor-bias")
    assert names.index("t-accuracy-by-turn-budget") < names.index("Accuracy by turn budget")


def test_without_links_the_report_links_nowhere(two_runs):
    summary, _ = two_runs
    assert parse(render_html(summary)).anchors == []


def test_links_make_run_and_case_ids_escaped_links(two_runs):
    summary, ids = two_runs
    hostile = '"><script>alert(1)</script>'
    links = ReportLinks(run=lambda run_id: f"/runs/{run_id}?x={hostile}",
                        case=lambda run_id, case_id: f"runs/{run_id}.html#case={case_id}",
                        home="index.html")
    html = render_html(summary, links=links)
    tree = parse(html)
    assert "<script>" not in html and not any(tag == "script" for tag, _, _ in tree.tags)
    anchors = {(a["text"], a["href"]) for a in tree.anchors}
    assert ("All runs in the log viewer", "index.html") in anchors
    for run_id in ids:
        assert (f"run {run_id}", f"/runs/{run_id}?x={hostile}") in anchors  # escaped in the page, intact when read
    cases = [c["id"] for c in summary["cases"]]
    assert len(cases) == 2
    for case in cases:  # each case is in both runs: its id opens the first, and each run is linked
        assert (case, f"runs/{ids[0]}.html#case={case}") in anchors
        for run_id in ids:
            assert (str(run_id), f"runs/{run_id}.html#case={case}") in anchors


def test_a_case_row_names_its_own_runs_when_the_summary_says(two_runs):
    summary, ids = two_runs
    summary = {**summary, "cases": [{**summary["cases"][0], "runs": [ids[1]]}]}
    links = ReportLinks(run=lambda r: f"/r/{r}", case=lambda r, c: f"/r/{r}/c/{c}", home="/")
    anchors = parse(render_html(summary, links=links)).anchors
    case = summary["cases"][0]["id"]
    assert [a["href"] for a in anchors if case in a["href"]] == [f"/r/{ids[1]}/c/{case}"]


def test_unsafe_schemes_are_never_linked():
    assert safe_href("runs/1.html") and safe_href("/runs/1") and safe_href("https://x.test/runs/1")
    assert safe_href("?case=a:b") and safe_href("#case")
    for url in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<b>", "vbscript:x"):
        assert not safe_href(url)
