"""``agentclinic episodes`` and ``agentclinic runs``: read the episode log.

Stored text (model replies, diagnoses, errors, case ids) is printed as text only, through
:mod:`.safe`; older databases hold replies from before they were cleaned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.text import Text

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
from .safe import literal, printable, shown

if TYPE_CHECKING:
    from ..report.formatting import FitTable
    from ..store import DoctorToolCall, Episode, Store, Turn

episodes_app = typer.Typer(no_args_is_help=True)
runs_app = typer.Typer(no_args_is_help=True)

_SPEAKER_STYLE = {"doctor": "bold cyan", "patient": "green", "measurement": "magenta", "system": "dim"}
_TOOL_STYLE = "yellow"


def _open(db: str) -> Store:
    from ..store import Store

    with user_errors():
        return Store(db, create=False)  # reading never creates an empty log


@episodes_app.command("list", help="List logged episodes (newest run by default).")
def list_(db: str = DbOption, run: int = typer.Option(None, "--run", help="Run id (default: the latest run)."),
          all_runs: bool = typer.Option(False, "--all", help="Episodes of every run."),
          status: str = typer.Option(None, "--status", help="completed, failed, running or abandoned."),
          limit: int = typer.Option(200, "--limit", "-n", min=1), as_json: bool = JsonOption,
          csv_target: str = csv_option("every field of the listed episodes")) -> None:
    from ..store import Episode

    with user_errors():
        check_outputs(as_json, csv_target)
    store = _open(db)
    run_id = None if all_runs else (run if run is not None else store.latest_run_id())
    rows = store.episodes(run_id=run_id, status=status, limit=limit)
    if csv_target is not None:
        with user_errors():
            fields = list(Episode.model_fields)
            write_csv(csv_target, fields, ([row.model_dump(mode="json")[f] for f in fields] for row in rows))
    if as_json:
        print_json([row.model_dump(mode="json") for row in rows])
    elif csv_target != CSV_TO_STDOUT:
        console.print(_episodes_table(rows, run_id))
        if csv_target is not None:
            console.print(f"{len(rows)} episode(s) written as CSV to {escape(csv_target)}.")


def _episodes_table(rows: list[Episode], run_id: int | None) -> FitTable:
    """Ids and case ids whole at any width; the run column only when several runs are listed."""
    from ..report.formatting import FitTable

    several = run_id is None
    table = FitTable(f"Episodes of run {run_id}" if not several else "Episodes", key_prefix="K")
    table.add_column("id", ident=True, key_group=None)
    if several:
        table.add_column("run", ident=True, key_group=None)
    table.add_column("case", ident=True)
    table.add_column("outcome")
    table.add_column("diagnosis", free_text=True)
    for column in ("turns", "cost (USD)"):
        table.add_column(column, justify="right")
    for row in rows:
        cells = [str(row.id)] + [str(row.run_id)] * several + [printable(row.scenario_id), _outcome(row),
                 shown((row.diagnosis or row.error or "")[:50]), str(row.turns), f"{row.cost_usd:,.0f}"]
        table.add_row(*cells)
    return table


def _outcome(row: Episode) -> str:
    """'correct' / 'wrong' for a judged episode, else its status (failed, running, ...)."""
    if row.status == "completed" and row.correct is not None:
        return "[green]correct[/]" if row.correct else "[red]wrong[/]"
    return shown(row.status)


@episodes_app.command(help="Show one episode's outcome and transcript.")
def show(episode_id: int = typer.Argument(..., help="Episode id."), db: str = DbOption,
         as_json: bool = JsonOption) -> None:
    from ..report.tool_lines import interleave
    from ..store.tool_log import tool_calls_of

    store = _open(db)
    row = store.episode(episode_id)
    if row is None:
        err_console.print(f"[red]Error:[/] no episode {episode_id} in {escape(db)}; "
                          "see `agentclinic episodes list --all`.")
        raise typer.Exit(2)
    turns, calls = store.turns(episode_id), tool_calls_of(store, [episode_id])[episode_id]
    if as_json:
        print_json({"episode": row.model_dump(mode="json"), "turns": [t.model_dump(mode="json") for t in turns],
                    "tool_calls": [c.model_dump(mode="json") for c in calls]})
        return
    tools = f" · tools {shown(row.doctor_tools)}" if row.doctor_tools else ""
    console.rule(f"Episode {row.id} · run {row.run_id} · {shown(row.scenario_id)}{tools}")
    for item in interleave(turns, calls):
        console.print(_item_line(item))
    console.rule()
    outcome = {True: "[green]correct[/]", False: "[red]wrong[/]", None: "not assessed"}[row.correct]
    console.print(f"Status: {shown(row.status)} · {outcome} ({shown(row.verdict or '—')})")
    console.print(f"Doctor's diagnosis: {shown(row.diagnosis or '—')} · case diagnosis: "
                  f"{shown(row.correct_diagnosis)}")
    console.print(f"Turns {row.turns}/{row.max_turns} · tests {row.tests_ordered} · "
                  f"invalid actions {row.invalid_actions} · cost ${row.cost_usd:,.2f}")
    if row.error:
        console.print(f"[red]Error:[/] {shown(row.error)}")


def _item_line(item: Turn | DoctorToolCall) -> Text:
    from ..store import DoctorToolCall

    if isinstance(item, DoctorToolCall):
        return _tool_line(item)
    return _turn_line(item.speaker, item.action, item.provenance, item.text)


def _tool_line(call: DoctorToolCall) -> Text:
    """A tool use, marked apart from the turns: '⚙ rag: query → passages a, b, c'."""
    from ..report.tool_lines import describe, usage

    line = literal(f"  ⚙ {call.tool}", f"bold {_TOOL_STYLE}")
    line.append(f": {printable(describe(call))}", style=_TOOL_STYLE)
    if spent := usage(call):
        line.append(f" ({spent})", style="dim")
    return line


def _turn_line(speaker: str, action: str | None, provenance: str | None, text: str) -> Text:
    """One transcript line, built as ``Text`` so nothing stored is ever read as markup."""
    line = literal(speaker, _SPEAKER_STYLE.get(speaker, ""))
    for tag in (f"({action})" if action else None, f"[{provenance}]" if provenance else None):
        if tag:
            line.append(f" {printable(tag)}", style="dim")
    line.append(f": {printable(text)}")
    return line


@episodes_app.command(help="List the doctor's notebook versions of a run, in the order they were written.")
def notes(run_id: int = typer.Argument(..., help="Run id."), db: str = DbOption,
          chain: str = typer.Option(None, "--chain", help="Only this notebook chain (e.g. 'rag+notebook')."),
          as_json: bool = JsonOption) -> None:
    from ..store.tool_log import notes_of

    store = _open(db)
    if store.run(run_id) is None:
        err_console.print(f"[red]Error:[/] no run {run_id} in {escape(db)}; see `agentclinic runs list`.")
        raise typer.Exit(2)
    versions = notes_of(store, run_id, chain)
    if as_json:
        print_json([{"run_id": n.run_id, "chain": n.chain, "version": n.position + 1, "position": n.position,
                     "episode_id": n.episode_id, "truncated": n.truncated, "text": n.text,
                     "created_at": n.created_at.isoformat()} for n in versions])
        return
    if not versions:
        chains = sorted({n.chain for n in notes_of(store, run_id)}) if chain is not None else []
        hint = (f"; its chains: {shown(', '.join(chains))}" if chains
                else " (a run with --doctor-tools notebook writes them)")
        which = f" in chain {shown(chain)}" if chain is not None else ""
        console.print(f"Run {run_id} has no notebook versions{which}{hint}.")
        return
    for note in versions:
        cut = " · [yellow]truncated[/]" if note.truncated else ""
        console.rule(f"{shown(note.chain)} · version {note.position + 1} · episode {note.episode_id}{cut}",
                     align="left")
        console.print(literal(note.text) if note.text else Text("(empty)", style="dim"))


@runs_app.command("list", help="List logged runs, newest first.")
def runs_list(db: str = DbOption, limit: int = typer.Option(20, "--limit", "-n", min=1),
              as_json: bool = JsonOption) -> None:
    from ..report.formatting import FitTable

    store = _open(db)
    runs = store.runs(limit)
    if as_json:
        print_json([run.model_dump(mode="json") for run in runs])
        return
    table = FitTable("Runs", key_prefix="P", caption="via: cli, env (Gymnasium) or tui (play)")
    table.add_column("id", ident=True, key_group=None)
    table.add_column("via")  # the source; a short header leaves the pack names room at 80 columns
    table.add_column("status")
    table.add_column("scenarios", ident=True)  # typed again as --scenarios
    table.add_column("episodes", justify="right")
    table.add_column("doctor", free_text=True)
    table.add_column("started")
    for run in runs:
        table.add_row(str(run.id), shown(run.source), shown(run.status), printable(run.scenarios),
                      str(run.episodes_planned or ""), shown(run.bindings.get("doctor", "")),
                      run.started_at.strftime("%Y-%m-%d %H:%M"))
    console.print(table)
