"""``agentclinic report`` and ``agentclinic assess``: score and summarise logged runs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from .choices import DEFAULT_PROMPTS, PANEL_MODES
from .common import (
    CSV_TO_STDOUT,
    DbOption,
    JsonOption,
    check_outputs,
    console,
    csv_option,
    err_console,
    print_json,
    user_errors,
    write_csv,
)

if TYPE_CHECKING:  # the implementations load inside the commands: scipy alone costs a second
    from ..assess.rescore import RescoreResult
    from ..report.formatting import FitTable
    from ..store import Store

RunsOption = typer.Option(None, "--run", "-r", help="Run id; repeat for several (default: the latest run).")


def report(runs: list[int] = RunsOption, db: str = DbOption,
           html: Path = typer.Option(None, "--html", help="Also write the HTML report: PATH.html a self-contained "
                                     "page; any other PATH a folder with the report and every transcript "
                                     "(the viewer's pages, images included), to open or share.",
                                     writable=True),
           assessor: str = typer.Option(None, "--assessor", help="Count this assessor's latest judgement "
                                        "(e.g. a re-scoring's model label or 'panel:majority(...)'); "
                                        "default: the judgement made during the run."),
           exclude_flagged: bool = typer.Option(False, "--exclude-flagged",
                                                help="Leave out episodes with simulator-fault flags."),
           as_json: bool = JsonOption,
           csv_target: str = csv_option("the accuracy rows (overall, per condition, per breakdown)")) -> None:
    """Accuracy with intervals, breakdowns, paired tests, dialogue metrics, faults and ratings."""
    from ..report.dataset import ReportError, load_dataset
    from ..report.summary import build_summary
    from ..report.tables import summary_tables
    from ..store import Store

    with user_errors():
        check_outputs(as_json, csv_target)
        store = Store(db, create=False)  # reading never creates an empty log
        try:
            summary = build_summary(load_dataset(store, runs or [], assessor), exclude_flagged=exclude_flagged)
        except ReportError as exc:
            raise ValueError(str(exc)) from None
        for note in summary["notes"]:  # damaged rows: reported as well as they could be read
            err_console.print(f"[yellow]Note:[/] {escape(note)}")
        written = _write_html(html, summary, store, runs or []) if html is not None else None
        if csv_target is not None:
            write_csv(csv_target, *accuracy_rows(summary))
    if csv_target == CSV_TO_STDOUT:
        return
    if as_json:
        summary["metrics"]["coverage"].pop("values")  # per-episode values are for plots, not for readers
        print_json(summary)
        return
    for table in summary_tables(summary):
        console.print(table)
    if written is not None:
        console.print(f"HTML report written to {escape(str(written))}")
    if csv_target is not None:
        console.print(f"Accuracy rows written as CSV to {escape(csv_target)}")


_CONDITION_FIELDS = ("doctor", "persona", "swap", "max_turns")
_SPEND_FIELDS = ("cost_usd", "llm_cost_usd", "tokens", "pareto")


def accuracy_rows(summary: dict) -> tuple[list[str], list[list]]:
    """The report's accuracy rows for ``--csv``: a header and one row per group and key.

    ``group`` is 'overall', 'condition' or a breakdown axis (doctor_bias, specialty, ...) and
    ``key`` the condition label or the axis value; doctor, persona, swap, spend and pass^k are
    filled on condition rows only. ``runs`` and ``assessor`` let several files be stacked.
    """
    ks = sorted({k for pass_k in summary["pass_k"].values() for k in pass_k if k != "1"}, key=int)
    header = ["group", "key", *_CONDITION_FIELDS, "n", "correct", "accuracy", "ci95_low", "ci95_high", "credit",
              "top_1", "top_3", "top_5", *_SPEND_FIELDS, *(f"pass^{k}" for k in ks), "runs", "assessor"]
    runs = " ".join(str(run["id"]) for run in summary["runs"])

    def row(group: str, key: str, values: dict, condition: bool = False) -> list:
        pass_k = summary["pass_k"].get(key, {}) if condition else {}
        return [group, key, *(values.get(f) if condition else None for f in _CONDITION_FIELDS),
                values["n"], values["correct"], values["accuracy"], values["low"], values["high"], values["credit"],
                *(values["top_k"].get(k) for k in ("1", "3", "5")),
                *(values.get(f) if condition else None for f in _SPEND_FIELDS),
                *(pass_k.get(k) for k in ks), runs, summary["assessor"]]

    rows = [row("overall", "all", summary["overall"])]
    rows += [row("condition", c["label"], c, condition=True) for c in summary["conditions"]]
    rows += [row(axis, r["key"], r) for axis, axis_rows in summary["breakdowns"].items() for r in axis_rows]
    return header, rows


def _write_html(path: Path, summary: dict, store: Store, runs: list[int]) -> Path:
    """One self-contained page for a ``.html`` path, else a folder a run can be shared as."""
    from ..report.html import render_html

    try:
        if path.suffix.lower() in (".html", ".htm"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render_html(summary), encoding="utf-8")
            return path
        if path.exists() and not path.is_dir():
            raise ValueError(f"--html {path}: a file that is not .html; give a folder, or a name ending in .html")
        from ..viewer.static_site import write_site  # jinja2 pages: loaded only for a folder

        return write_site(store, runs, path, summary=summary)
    except OSError as exc:
        raise ValueError(f"cannot write the HTML report to {path}: {exc.strerror or exc}") from None


def assess(run: int = typer.Option(None, "--run", "-r", help="Run id (default: the latest run)."),
           assessors: list[str] = typer.Option(None, "--assessor", "-a",
                                               help="'scripted' (the matcher) or a model spec; repeat for a panel."),
           panel: str = typer.Option("majority", "--panel", help=f"How a panel decides: {', '.join(PANEL_MODES)}."),
           db: str = DbOption,
           base_url: str = typer.Option(None, "--base-url", help="OpenAI-compatible endpoint for the judges."),
           prompts: str = typer.Option(DEFAULT_PROMPTS, "--prompts", help="Prompt set name or YAML file."),
           timeout: float = typer.Option(60.0, "--timeout", help="Seconds per model call attempt."),
           retries: int = typer.Option(4, "--retries", help="Retries per model call."),
           cache: bool = typer.Option(False, "--cache", help="Reuse stored model responses."),
           quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
           as_json: bool = JsonOption) -> None:
    """Judge a logged run again (no episode is re-run); every judgement is kept."""
    from ..agents.registry import RoleSettings
    from ..report.dataset import ReportError, resolve_run_ids
    from ..store import Store

    specs = assessors or ["scripted"]
    with user_errors():
        if panel not in PANEL_MODES:
            raise ValueError(f"--panel must be one of {', '.join(PANEL_MODES)}, got {panel!r}")
        store = Store(db, create=False)  # reading never creates an empty log
        try:
            run_id = resolve_run_ids(store, [run] if run is not None else [])[0]
        except ReportError as exc:
            raise ValueError(str(exc)) from None
        settings = RoleSettings(prompts=prompts, base_url=base_url, timeout_s=timeout, max_retries=retries,
                                cache=cache)
        total = len(store.episodes(run_id, status="completed"))
        result = _with_progress(store, run_id, specs, panel, settings, total, show=not (quiet or as_json))
    if as_json:
        print_json(_result_json(result))
        return
    _print_result(result)


def _with_progress(store: Store, run_id: int, specs, panel, settings, total: int, show: bool) -> RescoreResult:
    import asyncio

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from ..assess.rescore import rescore_run

    progress = Progress(TextColumn("[bold]judging"), BarColumn(), MofNCompleteColumn(), disable=not show,
                        console=err_console)
    with progress:
        task = progress.add_task("judging", total=total)
        return asyncio.run(rescore_run(store, run_id, specs, mode=panel, settings=settings,  # type: ignore[arg-type]
                                       on_episode=lambda _: progress.advance(task)))


def _result_json(result: RescoreResult) -> dict:
    return {"run_id": result.run_id, "scored": result.scored,
            "accuracy": {name: _accuracy(result, name) for name in result.assessors},
            "agreement": [{**vars(row), "agreement": row.agreement if row.n else None} for row in result.agreement()],
            "skipped": [{"episode_id": eid, "reason": why} for eid, why in result.skipped]}


def _print_result(result: RescoreResult) -> None:
    from ..report.formatting import FitTable, pct

    console.print(f"Run {result.run_id} re-judged: {result.scored} episodes.")
    keys: dict[str, str] = {}  # one assessor keeps one key in both tables
    table = FitTable("Accuracy by assessor", key_prefix="A", keys=keys)
    table.add_column("assessor", ident=True)  # the name `report --assessor` takes: never cut
    table.add_column("accuracy", justify="right")
    for name in result.assessors:
        table.add_row(name, pct(_accuracy(result, name)))
    console.print(table)
    if len(result.assessors) > 1:
        console.print(_agreement_table(result, keys))
    for episode_id, why in result.skipped:
        err_console.print(f"[yellow]skipped episode {episode_id}:[/] {escape(why)}")
    console.print("Use these judgements in a report with [bold]agentclinic report --assessor NAME[/].")


def _accuracy(result: RescoreResult, name: str) -> float | None:
    """An assessor's accuracy; None when it judged nothing (a 0% over nothing misleads)."""
    return result.accuracy(name) if result.decisions.get(name) else None


def _agreement_table(result: RescoreResult, keys: dict[str, str]) -> FitTable:
    from ..report.formatting import FitTable, number, pct

    agreement = FitTable("Agreement between assessors", key_prefix="A", keys=keys)
    agreement.add_column("assessor", ident=True, key_group="assessor")
    agreement.add_column("with", ident=True, key_group="assessor")
    for column in ("n", "agreement", "Cohen's kappa"):
        agreement.add_column(column)
    for row in result.agreement():
        agreed = pct(row.agreement) if row.n else pct(None)  # agreement over no items is undefined, not 0
        agreement.add_row(row.first, row.second, str(row.n), agreed, number(row.kappa))
    return agreement
