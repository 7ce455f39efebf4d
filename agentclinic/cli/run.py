"""``agentclinic run``: the batch evaluation."""

from __future__ import annotations

import asyncio
import time

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from ..paths import DEFAULT_PACK
from ..runner import BatchResult, EpisodeOutcome, RunConfig, run_batch
from .common import DbOption, JsonOption, console, print_json, user_errors


def run(
    scenarios: str = typer.Option(DEFAULT_PACK, "--scenarios", "-s",
                                  help="Bundled pack name, pack directory or case file."),
    scenario: list[str] = typer.Option(None, "--scenario", help="Run only this case id (repeatable)."),
    limit: int = typer.Option(None, "--limit", "-n", min=1, help="Run at most this many cases."),
    seed: int = typer.Option(0, "--seed", help="Base seed; each episode's seed derives from it."),
    trials: int = typer.Option(1, "--trials", min=1, help="Repeat every case this many times."),
    max_turns: int = typer.Option(20, "--max-turns", min=1, help="Doctor turns per episode."),
    doctor: str = typer.Option("baseline", "--doctor", help="Doctor role spec."),
    patient: str = typer.Option("scripted", "--patient", help="Patient role spec."),
    measurement: str = typer.Option("scripted", "--measurement", help="Measurement role spec."),
    assessor: str = typer.Option("scripted", "--assessor", help="Assessor role spec."),
    multiple_choice: bool = typer.Option(False, "--multiple-choice",
                                         help="Show the doctor the answer options (diagnosis + distractors)."),
    missing: str = typer.Option("default-normal", "--missing",
                                help="What a test the case lacks returns: default-normal or unavailable."),
    db: str = DbOption,
    as_json: bool = JsonOption,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    config = RunConfig(scenarios=scenarios, scenario_ids=scenario or None, limit=limit, seed=seed, trials=trials,
                       max_turns=max_turns, multiple_choice=multiple_choice, missing=missing, db=db,
                       doctor=doctor, patient=patient, measurement=measurement, assessor=assessor)
    started = time.perf_counter()
    with user_errors():
        result = _run_with_progress(config, show=not (quiet or as_json))
    elapsed = time.perf_counter() - started
    if as_json:
        print_json(_summary_json(result, config, elapsed))
    else:
        _print_summary(result, config, elapsed)
    if result.interrupted:
        raise typer.Exit(130)


def _run_with_progress(config: RunConfig, show: bool) -> BatchResult:
    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[accuracy]}"), TimeElapsedColumn(), TimeRemainingColumn(),
                        console=console, disable=not show, transient=False)
    state = {"task": None, "done": 0, "correct": 0}

    def on_start(total: int) -> None:
        state["task"] = progress.add_task("episodes", total=total, accuracy="")

    def on_episode(outcome: EpisodeOutcome) -> None:
        state["done"] += 1
        state["correct"] += int(outcome.correct)
        progress.update(state["task"], advance=1, accuracy=f"correct {state['correct']}/{state['done']}",
                        description=outcome.scenario_id)

    with progress:
        try:
            return asyncio.run(run_batch(config, on_episode=on_episode, on_start=on_start))
        except KeyboardInterrupt:
            console.print("[yellow]Interrupted: the episode in flight was marked abandoned.[/]")
            raise typer.Exit(130) from None


def _print_summary(result: BatchResult, config: RunConfig, elapsed: float) -> None:
    table = Table(title=f"Run {result.run_id}", show_lines=False)
    for column in ("case", "outcome", "diagnosis", "turns", "tests", "cost (USD)"):
        table.add_column(column, justify="right" if column in {"turns", "tests", "cost (USD)"} else "left")
    for o in result.outcomes:
        outcome = {True: "[green]correct[/]", False: "[red]wrong[/]"}[o.correct] if o.status == "completed" \
            else f"[yellow]{o.status}[/]"
        label = o.scenario_id if config.trials == 1 else f"{o.scenario_id} #{o.trial}"
        table.add_row(escape(label), outcome, escape(o.diagnosis or (o.error or "—")[:60]), str(o.turns),
                      str(o.tests), f"{o.cost_usd:,.0f}")
    console.print(table)
    accuracy, low, high, n = result.accuracy()
    failed = len(result.outcomes) - n
    costs = [o.cost_usd for o in result.completed]
    mean_cost = sum(costs) / len(costs) if costs else 0.0
    console.print(
        f"Accuracy [bold]{accuracy:.1%}[/] (95% CI {low:.1%}–{high:.1%}) over {n} completed episode(s)"
        + (f", [yellow]{failed} failed[/]" if failed else "")
        + f"; mean cost ${mean_cost:,.0f}; {elapsed:.1f} s."
    )
    console.print(f"Logged to {escape(config.db)} as run {result.run_id}. "
                  f"Transcripts: [cyan]agentclinic episodes list --run {result.run_id}[/]")


def _summary_json(result: BatchResult, config: RunConfig, elapsed: float) -> dict:
    accuracy, low, high, n = result.accuracy()
    return {
        "run_id": result.run_id,
        "episodes": [vars(o) for o in result.outcomes],
        "completed": n,
        "failed": len(result.outcomes) - n,
        "accuracy": accuracy,
        "accuracy_ci95": [low, high],
        "elapsed_s": round(elapsed, 3),
        "interrupted": result.interrupted,
    }
