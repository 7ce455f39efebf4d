"""Terminal tables (rich) for a report summary. Text from runs is escaped, never markup.

Condition labels, breakdown keys and bias ids are identifying columns of a
:class:`~.formatting.FitTable`: shown whole, or as keys (C1, C2 …) with a legend when the
terminal is too narrow; one label keeps one key across the whole report.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import RenderableType
from rich.markup import escape
from rich.table import Table

from .formatting import FitTable, Label, accuracy_with_ci, number, pct
from .summary import FLAGS, RATINGS


def summary_tables(summary: dict) -> Iterator[RenderableType]:
    """Every table of the report, in reading order."""
    keys = condition_keys(summary)
    yield _overview(summary)
    yield _conditions(summary, keys)
    for axis, rows in summary["breakdowns"].items():
        if len(rows) > 1:
            yield _breakdown(axis, rows)
    if summary["paired"]:
        yield _paired(summary["paired"], keys)
        yield _paired_spend(summary["paired"], keys)
    if summary.get("doctor_tools"):
        yield _doctor_tools(summary["doctor_tools"], keys)
    yield _metrics(summary["metrics"])
    yield _faults(summary["faults"])
    if summary["surveys"]["n"]:
        yield _surveys(summary["surveys"])


def _overview(summary: dict) -> Table:
    counts, overall = summary["episodes"], summary["overall"]
    runs = ", ".join(str(run["id"]) for run in summary["runs"])
    table = Table(title=f"Run(s) {runs} · judged by {escape(summary['assessor'])}", show_header=False)
    table.add_column("what")
    table.add_column("value")
    table.add_row("episodes", f"{counts['total']} ({counts['completed']} completed, {counts['failed']} failed, "
                              f"{counts['abandoned']} abandoned)")
    if counts["excluded_flagged"]:
        table.add_row("excluded (simulator faults)", str(counts["excluded_flagged"]))
    if counts["unjudged"]:
        table.add_row("not judged by this assessor", str(counts["unjudged"]))
    scored = f"of {overall['n']}" if overall["n"] else "(no scored episodes)"
    table.add_row("accuracy (95% CI)", f"{accuracy_with_ci(overall)} {scored}")
    table.add_row("top-1 / top-3 / top-5", " / ".join(pct(overall["top_k"][k]) for k in ("1", "3", "5")))
    if overall["n"] and abs(overall["credit"] - overall["accuracy"]) > 1e-9:  # graded (panel mean) credit
        table.add_row("mean credit (panel)", pct(overall["credit"]))
    return table


def condition_keys(summary: dict) -> dict[str, str]:
    """'C1', 'C2' … for the condition labels, in the order of the conditions table."""
    return {row["label"]: f"C{i}" for i, row in enumerate(summary["conditions"], 1)}


def _conditions(summary: dict, keys: dict[str, str]) -> FitTable:
    # Model spend and pass^k only when there is any: two fewer columns leave room for the labels.
    spend = any(row["llm_cost_usd"] or row["tokens"] for row in summary["conditions"])
    repeated = any(k != "1" for ks in summary["pass_k"].values() for k in ks)
    table = FitTable("Accuracy by condition", caption="* on the accuracy/cost Pareto front", keys=keys,
                     key_prefix="C")
    table.add_column("condition", ident=True)
    for column in ("n", "accuracy (95% CI)", "top-3", "cost/episode") + ("model USD/ep",) * spend \
            + ("pass^k",) * repeated:
        table.add_column(column, justify="right")
    for row in summary["conditions"]:
        pass_k = summary["pass_k"].get(row["label"], {})
        ks = " ".join(f"^{k}={pct(v)}" for k, v in pass_k.items() if k != "1") or "–"
        cells = [Label(row["label"], " *" if row["pareto"] else ""), str(row["n"]), accuracy_with_ci(row),
                 pct(row["top_k"]["3"]), "$" + number(row["cost_usd"], ",.0f")]
        cells += [number(row["llm_cost_usd"], ".4f")] * spend + [ks] * repeated
        table.add_row(*cells)
    return table


def _breakdown(axis: str, rows: list[dict]) -> FitTable:
    table = FitTable(f"Accuracy by {axis.replace('_', ' ')}", key_prefix=axis[0].upper())
    table.add_column(axis.replace("_", " "), ident=True)
    for column in ("n", "accuracy (95% CI)"):
        table.add_column(column)
    for row in rows:
        table.add_row(str(row["key"]), str(row["n"]), accuracy_with_ci(row))
    return table


def _paired(rows: list[dict], keys: dict[str, str]) -> FitTable:
    table = FitTable("Paired comparisons (same cases and trials)", keys=keys, key_prefix="C")
    table.add_column("condition", ident=True, key_group="condition")
    table.add_column("vs", ident=True, key_group="condition")
    for column in ("pairs", "accuracy", "normalised", "only ref / only cond", "McNemar p"):
        table.add_column(column)
    for row in rows:
        test = row["mcnemar"]
        norm = row["normalised_accuracy"]
        table.add_row(row["condition"], row["reference"], str(row["n_pairs"]),
                      f"{pct(row['reference_accuracy'])} → {pct(row['accuracy'])}",
                      number(norm), f"{test['a_only']} / {test['b_only']}", number(test["p_value"], ".3g"))
    return table


def _paired_spend(rows: list[dict], keys: dict[str, str]) -> FitTable:
    table = FitTable("Paired spend (means per episode over the pairs: reference → condition)", keys=keys,
                     key_prefix="C")
    table.add_column("condition", ident=True, key_group="condition")
    table.add_column("vs", ident=True, key_group="condition")
    for column in ("cost (USD)", "model USD", "tokens", "tool tokens"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(row["condition"], row["reference"], *(_change(row, key, spec) for key, spec in SPEND_COLUMNS))
    return table


SPEND_COLUMNS = (("cost_usd", ",.0f"), ("llm_cost_usd", ".4f"), ("tokens", ",.0f"), ("tool_tokens", ",.0f"))


def _change(row: dict, key: str, spec: str) -> str:
    """'reference → condition' for one paired mean."""
    return f"{number(row['reference_' + key], spec)} → {number(row[key], spec)}"


def _doctor_tools(rows: list[dict], keys: dict[str, str]) -> FitTable:
    # Short headers, explained in the caption: the table must fit 80 columns.
    table = FitTable("Doctor tools (means per completed episode)", keys=keys, key_prefix="C",
                     caption="search: searches; tokens: spent in tool calls; reflect: answers changed / "
                             "encounters continued; cut: notebook writes truncated")
    table.add_column("condition", ident=True)
    table.add_column("n", justify="right")
    table.add_column("uses")
    for column in ("search", "tokens", "reflect", "cut"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(row["label"], str(row["episodes"]), escape(tool_uses(row, "\n")),
                      number(row["searches_per_episode"]), number(row["tool_tokens"], ",.0f"),
                      reflect_rates(row), str(row["notebook_truncated"]))
    return table


def tool_uses(row: dict, separator: str = " · ") -> str:
    """'rag 1.00 · notebook-read 1.00' from a doctor_tools summary row; '–' when none was used."""
    return separator.join(f"{kind} {value:.2f}" for kind, value in row["uses_per_episode"].items()) or "–"


def reflect_rates(row: dict) -> str:
    """'25.0% / 10.0% of 40' for reflections, or 'n/a' without any."""
    if not row["reflections"]:
        return pct(None)
    return f"{pct(row['reflect_changed'])} / {pct(row['reflect_continued'])} of {row['reflections']}"


def _metrics(metrics: dict) -> Table:
    table = Table(title=f"Dialogue and process ({metrics['n']} completed episodes; means)", show_header=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in metrics["mean"].items():
        table.add_row(name.replace("_", " "), number(value))
    for name, value in metrics["rate"].items():
        table.add_row(name.replace("_", " ") + " (share)", pct(value))
    coverage = metrics["coverage"]
    table.add_row("key-fact coverage (mean / median)", f"{pct(coverage['mean'])} / {pct(coverage['median'])}")
    table.add_row("tokens per episode", number(metrics["tokens"], ",.0f"))
    table.add_row("model spend (USD, total)", f"{metrics['llm_cost_usd']:.4f}")
    return table


def _faults(faults: dict) -> Table:
    table = Table(title=f"Simulator faults ({faults['n']} episodes checked)", show_header=False)
    table.add_column("flag")
    table.add_column("rate", justify="right")
    for flag in FLAGS:
        table.add_row(flag.replace("_", " "), pct(faults["rates"][flag]))
    table.add_row("any", pct(faults["any"]))
    table.add_row("case report names the diagnosis", pct(faults["measurement_revealed"]))
    return table


def _surveys(surveys: dict) -> FitTable:
    heuristic = surveys["heuristic"]
    note = " · heuristic (scripted patient rules)" if heuristic == surveys["n"] else (
        f" · {heuristic} heuristic" if heuristic else "")
    table = FitTable(f"Patient perception, 1-10 ({surveys['n']} surveys{note})", key_prefix="B")
    table.add_column("bias", ident=True)
    table.add_column("n", justify="right")
    for item in RATINGS:
        table.add_column(item.replace("_", " "), justify="right")
    for row in [{"key": "all", "n": surveys["n"], **surveys["overall"]}, *surveys["by_bias"]]:
        table.add_row(str(row["key"]), str(row["n"]), *(number(row[item]["mean"], ".1f") for item in RATINGS))
    return table
