"""A self-contained HTML report: tables and embedded PNG figures, no external files.

Every string from runs, cases and models is escaped (see :mod:`.html_parts`): a transcript
or a model label can never inject markup into the page. The page fits its window from a
phone to a wide screen: each table scrolls inside its own box, never the page. Each figure
follows the table it illustrates; a figure with nothing to show (one point, all zeros) is
replaced by a sentence saying so. Given :class:`~.links.ReportLinks`, run and case ids link
to the log viewer's pages; without (the default), the file stands alone with no links.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..language import get_language
from .formatting import NA, accuracy_with_ci, number, pct
from .html_parts import Cell, Key, Text, escape, figure, link, table
from .html_style import STYLE
from .links import ReportLinks
from .plot_labels import condition_keys
from .plots import Figure, faults_flagged, figures
from .summary import FLAGS, RATINGS
from .tables import SPEND_COLUMNS, reflect_rates, tool_uses

# Kept under their former names: tests and callers import them from here.
_STYLE, _Text, _e = STYLE, Text, escape

_VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def render_html(summary: dict, title: str = "AgentClinic report", links: ReportLinks | None = None) -> str:
    """The whole report as one HTML document.

    ``links`` makes run ids and case ids links to the log viewer's pages (and adds a link to
    its list of runs); None, the default, writes a self-contained file with no links.
    """
    drawn = figures(summary)
    head = (f'<!doctype html><html lang="en"><head><meta charset="utf-8">{_VIEWPORT}<title>{escape(title)}</title>'
            f'<style>{STYLE}</style></head><body><h1 dir="auto">{escape(title)}</h1>')
    parts = [head, _nav(links), _intro(summary), _runs(summary, links)]
    parts += [_conditions(summary), _figure(drawn, "Accuracy by condition"),
              _figure(drawn, "Accuracy against cost", "Points carry the keys of the table above; conditions "
                      "at the same or nearly the same point share one label.")]
    parts += [_breakdown(axis, rows) for axis, rows in summary["breakdowns"].items() if len(rows) > 1]
    parts.append(_figure(drawn, "Accuracy by turn budget"))
    parts += [_pass_k(summary), _paired(summary), _paired_spend(summary), _doctor_tools(summary),
              _cases(summary, links), _metrics(summary), _figure(drawn, "Key-fact coverage"),
              _faults(summary, drawn), _surveys(summary)]
    if summary["surveys"]["n"]:
        parts.append(_figure(drawn, "Patient perception by bias"))
    parts.append("</body></html>")
    return "\n".join(part for part in parts if part)


def _figure(drawn: dict[str, Figure], title: str, caption: str | None = None) -> str:
    found = drawn[title]
    return figure(title, found.png, found.note, caption)


def _name(value: object) -> Cell:
    """A short word or name from the program (a status, a metric): aligned like text."""
    return Cell(escape(value))


def _breakdown(axis: str, rows: list[dict]) -> str:
    if all(str(r["key"]).isdigit() for r in rows):  # turn budgets: 8 before 20, not after
        rows = sorted(rows, key=lambda r: int(r["key"]))
    return table(f"Accuracy by {axis.replace('_', ' ')}", [axis.replace("_", " "), "n", "accuracy (95% CI)"],
                 [[Text(r["key"]), r["n"], accuracy_with_ci(r)] for r in rows])


def _nav(links: ReportLinks | None) -> str:
    return f"<nav>{link('All runs in the log viewer', links.home)}</nav>" if links else ""


def _intro(summary: dict) -> str:
    counts = summary["episodes"]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (f"<p>{counts['total']} episodes: {counts['completed']} completed, "
            f"{counts['failed']} failed, {counts['abandoned']} abandoned; {counts['scored']} scored by "
            f"{escape(summary['assessor'])}" + (f", {counts['excluded_flagged']} excluded for simulator faults"
                                                if counts["excluded_flagged"] else "")
            + f". Overall accuracy {_overall(summary['overall'])}.</p><p class=note>Generated {stamp}.</p>")


def _overall(overall: dict) -> str:
    return accuracy_with_ci(overall) + ("" if overall["n"] else " (no scored episodes)")


def _runs(summary: dict, links: ReportLinks | None) -> str:
    rows = [[Cell(link(f"run {r['id']}", links.run(r["id"]) if links else None)), Text(r["doctor"]),
             Text(r["scenarios"]), r["max_turns"], _name(r["status"]), r["episodes"], r["started_at"][:16].replace("T", " ")]
            for r in summary["runs"]]
    return table("Runs", ["run", "doctor", "cases", "turn budget", "status", "episodes", "started (UTC)"], rows)


def _conditions(summary: dict) -> str:
    """The accuracy table; its keys (A, B, …) name the conditions on the figures."""
    keys = condition_keys(summary)
    rows = [[Key(keys[r["label"]]), Text(r["label"]), r["n"], accuracy_with_ci(r), pct(r["top_k"]["1"]),
             pct(r["top_k"]["3"]), pct(r["top_k"]["5"]), number(r["cost_usd"], ",.0f"),
             number(r["llm_cost_usd"], ".4f"), "yes" if r["pareto"] else ""] for r in summary["conditions"]]
    return table("Accuracy by condition", ["key", "condition", "n", "accuracy (95% CI)", "top-1", "top-3", "top-5",
                                           "cost/episode (USD)", "model USD/episode", "Pareto"], rows)


def _cases(summary: dict, links: ReportLinks | None) -> str:
    """Each case's title and right answer in the case's language, the doctor's answers in its own;
    folded away (no script needed) since a whole pack is hundreds of rows."""
    cases = summary.get("cases", [])
    if not cases:
        return ""
    every_run = [r["id"] for r in summary["runs"]]
    rows = [[_case_cell(c, c.get("runs") or every_run, links), Text(c["title"], c["language"]),
             _language_name(c["language"]), c["episodes"], c["correct"], Text(c["correct_diagnosis"], c["language"]),
             Text("; ".join(c["diagnoses"]), c["doctor_language"])] for c in cases]
    found = table("Cases: the right answer and the doctor's most frequent answers",
                  ["case", "title", "language", "episodes", "correct", "correct diagnosis", "doctor's diagnoses"], rows)
    return f"<details><summary>Cases ({len(cases)})</summary>{found}</details>"


def _case_cell(case: dict, runs: list[int], links: ReportLinks | None) -> object:
    """The case id; with links, it opens the case's episodes in its first run, and a case seen in
    several runs also links each run's episodes of it ("runs 1 · 2")."""
    if links is None or not runs:
        return Text(case["id"])
    markup = link(case["id"], links.case(runs[0], case["id"]))
    if len(runs) > 1:
        each = " · ".join(link(run_id, links.case(run_id, case["id"])) for run_id in runs)
        markup += f' <span class="runs-of-case">(runs {each})</span>'
    return Cell(markup)


def _language_name(tag: str) -> str:
    found = get_language(tag)
    return f"{tag} ({found.name})" if found else tag


def _paired(summary: dict) -> str:
    rows = [[Text(r["condition"]), Text(r["reference"]), r["n_pairs"], pct(r["reference_accuracy"]),
             pct(r["accuracy"]), number(r["normalised_accuracy"]),
             f"{r['mcnemar']['a_only']} / {r['mcnemar']['b_only']}", number(r["mcnemar"]["p_value"], ".3g"),
             _rating_test(r)] for r in summary["paired"]]
    if not rows:
        return ""
    return table("Paired comparisons on the same cases and trials",
                 ["condition", "reference", "pairs", "ref. accuracy", "accuracy", "normalised",
                  "only ref / only cond", "McNemar p", "confidence rating Δ (paired t p)"], rows)


def _paired_spend(summary: dict) -> str:
    rows = [[Text(r["condition"]), Text(r["reference"]), r["factor"],
             *(f"{number(r['reference_' + key], spec)} → {number(r[key], spec)}" for key, spec in SPEND_COLUMNS)]
            for r in summary["paired"]]
    if not rows:
        return ""
    return table("Paired spend: means per episode over the pairs (reference → condition)",
                 ["condition", "reference", "compares", "cost (USD)", "model USD", "tokens", "doctor-tool tokens"],
                 rows)


def _doctor_tools(summary: dict) -> str:
    rows = [[Text(r["label"]), r["episodes"], tool_uses(r), number(r["searches_per_episode"]),
             number(r["tool_tokens"], ",.0f"), number(r["tool_cost_usd"], ".4f"), reflect_rates(r),
             r["notebook_truncated"]] for r in summary.get("doctor_tools", [])]
    if not rows:
        return ""
    return table("Doctor tools, per completed episode",
                 ["condition", "episodes", "uses per episode", "searches", "tool tokens", "tool USD",
                  "reflection: changed / continued", "notes truncated"], rows)


def _rating_test(row: dict) -> str:
    test = row["ratings"].get("confidence")
    if not test or test["t"]["mean_diff"] is None:
        return NA
    return f"{test['t']['mean_diff']:+.2f} (p={number(test['t']['p_value'], '.3g')})"


def _pass_k(summary: dict) -> str:
    """pass^k per condition: the share of cases solved in all of k trials (k=1 is plain accuracy)."""
    rows = [[Text(label), *(pct(v) for v in ks.values())] for label, ks in summary["pass_k"].items() if len(ks) > 1]
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    return table("pass^k over repeated trials", ["condition", *[f"pass^{k}" for k in range(1, width)]],
                 [r + [""] * (width - len(r)) for r in rows])


def _metrics(summary: dict) -> str:
    metrics = summary["metrics"]
    rows = [[name.replace("_", " "), number(value)] for name, value in metrics["mean"].items()]
    rows += [[name.replace("_", " ") + " (share)", pct(value)] for name, value in metrics["rate"].items()]
    rows.append(["key-fact coverage (mean)", pct(metrics["coverage"]["mean"])])
    rows.append(["tokens per episode", number(metrics["tokens"], ",.0f")])
    return table(f"Dialogue and process metrics (means over {metrics['n']} completed episodes)",
                 ["metric", "value"], [[_name(name), value] for name, value in rows])


def _faults(summary: dict, drawn: dict[str, Figure]) -> str:
    """The fault table, examples and figure; when nothing was flagged, one sentence says so."""
    faults = summary["faults"]
    if not faults_flagged(summary):
        return f"<h2>Simulator faults</h2><p>{escape(drawn['Simulator-fault rates'].note)}</p>"
    parts = [table("Simulator-fault rates", ["flag", "rate"],
                   [[_name(f.replace("_", " ")), pct(faults["rates"][f])] for f in FLAGS]
                   + [[_name("any"), pct(faults["any"])]])]
    if faults["examples"]:  # evidence quotes replies: each item finds its own direction
        parts.append("<p class=note>Examples:</p><ul class=note>"
                     + "".join(f'<li dir="auto">{escape(x)}</li>' for x in faults["examples"]) + "</ul>")
    parts.append(_figure(drawn, "Simulator-fault rates"))
    return "\n".join(parts)


def _surveys(summary: dict) -> str:
    surveys = summary["surveys"]
    if not surveys["n"]:
        return ""
    note = "heuristic: derived by the scripted patient's rules" if surveys["heuristic"] == surveys["n"] else (
        f"{surveys['heuristic']} of {surveys['n']} heuristic" if surveys["heuristic"] else "answered in role")
    rows = [[Text(r["key"]), r["n"], *(number(r[item]["mean"], ".1f") for item in RATINGS)]
            for r in [{"key": "all", "n": surveys["n"], **surveys["overall"]}, *surveys["by_bias"]]]
    return table(f"Patient perception, 1-10 ({note})", ["bias", "n", *(r.replace("_", " ") for r in RATINGS)], rows)
