"""``agentclinic episodes`` and ``agentclinic runs``: read the episode log.

Stored text (model replies, diagnoses, errors, case ids) is printed as text only, through
:mod:`.safe`; older databases hold replies from before they were cleaned.
"""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..printable import printable
from ..store import Store
from .common import DbOption, JsonOption, console, err_console, print_json, user_errors
from .safe import literal, shown

episodes_app = typer.Typer(no_args_is_help=True)
runs_app = typer.Typer(no_args_is_help=True)

_SPEAKER_STYLE = {"doctor": "bold cyan", "patient": "green", "measurement": "magenta", "system": "dim"}


def _open(db: str) -> Store:
    with user_errors():
        return Store(db, create=False)  # reading never creates an empty log


@episodes_app.command("list", help="List logged episodes (newest run by default).")
def list_(db: str = DbOption, run: int = typer.Option(None, "--run", help="Run id (default: the latest run)."),
          all_runs: bool = typer.Option(False, "--all", help="Episodes of every run."),
          status: str = typer.Option(None, "--status", help="completed, failed, running or abandoned."),
          limit: int = typer.Option(200, "--limit", "-n", min=1), as_json: bool = JsonOption) -> None:
    store = _open(db)
    run_id = None if all_runs else (run if run is not None else store.latest_run_id())
    rows = store.episodes(run_id=run_id, status=status, limit=limit)
    if as_json:
        print_json([row.model_dump(mode="json") for row in rows])
        return
    table = Table(title=f"Episodes of run {run_id}" if run_id is not None else "Episodes")
    for column in ("id", "run", "case", "status", "correct", "diagnosis", "turns", "cost (USD)"):
        table.add_column(column)
    for row in rows:
        correct = "" if row.correct is None else ("[green]yes[/]" if row.correct else "[red]no[/]")
        table.add_row(str(row.id), str(row.run_id), shown(row.scenario_id), shown(row.status), correct,
                      shown((row.diagnosis or row.error or "")[:50]), str(row.turns), f"{row.cost_usd:,.0f}")
    console.print(table)


@episodes_app.command(help="Show one episode's outcome and transcript.")
def show(episode_id: int = typer.Argument(..., help="Episode id."), db: str = DbOption,
         as_json: bool = JsonOption) -> None:
    store = _open(db)
    row = store.episode(episode_id)
    if row is None:
        err_console.print(f"[red]Error:[/] no episode {episode_id} in {escape(db)}; "
                          "see `agentclinic episodes list --all`.")
        raise typer.Exit(2)
    turns = store.turns(episode_id)
    if as_json:
        print_json({"episode": row.model_dump(mode="json"), "turns": [t.model_dump(mode="json") for t in turns]})
        return
    console.rule(f"Episode {row.id} · run {row.run_id} · {shown(row.scenario_id)}")
    for turn in turns:
        console.print(_turn_line(turn.speaker, turn.action, turn.provenance, turn.text))
    console.rule()
    outcome = {True: "[green]correct[/]", False: "[red]wrong[/]", None: "not assessed"}[row.correct]
    console.print(f"Status: {shown(row.status)} · {outcome} ({shown(row.verdict or '—')})")
    console.print(f"Doctor's diagnosis: {shown(row.diagnosis or '—')} · case diagnosis: "
                  f"{shown(row.correct_diagnosis)}")
    console.print(f"Turns {row.turns}/{row.max_turns} · tests {row.tests_ordered} · "
                  f"invalid actions {row.invalid_actions} · cost ${row.cost_usd:,.2f}")
    if row.error:
        console.print(f"[red]Error:[/] {shown(row.error)}")


def _turn_line(speaker: str, action: str | None, provenance: str | None, text: str) -> Text:
    """One transcript line, built as ``Text`` so nothing stored is ever read as markup."""
    line = literal(speaker, _SPEAKER_STYLE.get(speaker, ""))
    for tag in (f"({action})" if action else None, f"[{provenance}]" if provenance else None):
        if tag:
            line.append(f" {printable(tag)}", style="dim")
    line.append(f": {printable(text)}")
    return line


@runs_app.command("list", help="List logged runs, newest first.")
def runs_list(db: str = DbOption, limit: int = typer.Option(20, "--limit", "-n", min=1),
              as_json: bool = JsonOption) -> None:
    store = _open(db)
    runs = store.runs(limit)
    if as_json:
        print_json([run.model_dump(mode="json") for run in runs])
        return
    table = Table(title="Runs")
    for column in ("id", "source", "status", "scenarios", "episodes", "doctor", "started"):
        table.add_column(column)
    for run in runs:
        table.add_row(str(run.id), shown(run.source), shown(run.status), shown(run.scenarios),
                      str(run.episodes_planned or ""), shown(run.bindings.get("doctor", "")),
                      run.started_at.strftime("%Y-%m-%d %H:%M"))
    console.print(table)
