"""``agentclinic run``: the batch evaluation."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from ..paths import DEFAULT_PACK
from .common import DbOption, JsonOption, console, err_console, print_json, user_errors
from .failures import failure_lines, parse_tolerance, too_many
from .personas import sweep_personas
from .run_config import config_option

if TYPE_CHECKING:  # the batch engine loads when a run starts, not for `--help`
    from ..report.formatting import FitTable
    from ..runner import BatchResult, EpisodeOutcome, Executor, RunConfig


def run(
    config_file: Path = config_option(lambda: run),  # read by its callback: the file's values are defaults
    scenarios: str = typer.Option(DEFAULT_PACK, "--scenarios", "-s",
                                  help="Bundled pack name, pack directory or case file."),
    scenario: list[str] = typer.Option(None, "--scenario", help="Run only this case id (repeatable)."),
    limit: int = typer.Option(None, "--limit", "-n", min=1, help="Run at most this many cases."),
    seed: int = typer.Option(0, "--seed", help="Base seed; each episode's seed derives from it."),
    trials: int = typer.Option(1, "--trials", min=1, help="Repeat every case this many times."),
    max_turns: int = typer.Option(20, "--max-turns", min=1, help="Doctor turns per episode."),
    model: str = typer.Option(None, "--model", help="Model spec for every role at once (role flags override)."),
    doctor: str = typer.Option(None, "--doctor", help="Doctor: 'baseline' or a model spec. [default: baseline]"),
    patient: str = typer.Option(None, "--patient", help="Patient: 'scripted' or a model spec. [default: scripted]"),
    measurement: str = typer.Option(None, "--measurement",
                                    help="Measurement: 'scripted' or a model spec. [default: scripted]"),
    assessor: str = typer.Option(None, "--assessor", help="Assessor: 'scripted' or a model spec. [default: scripted]"),
    base_url: str = typer.Option(None, "--base-url", help="OpenAI-compatible server URL for every model role."),
    doctor_base_url: str = typer.Option(None, "--doctor-base-url", help="Server URL for the doctor only."),
    patient_base_url: str = typer.Option(None, "--patient-base-url", help="Server URL for the patient only."),
    measurement_base_url: str = typer.Option(None, "--measurement-base-url", help="Server URL for measurement."),
    assessor_base_url: str = typer.Option(None, "--assessor-base-url", help="Server URL for the assessor."),
    temperature: float = typer.Option(None, "--temperature", help="Sampling temperature for every model role."),
    max_tokens: int = typer.Option(None, "--max-tokens", min=1, help="Reply length cap for every model role."),
    role_option: list[str] = typer.Option(None, "--role-option", metavar="ROLE.KEY=VALUE",
                                          help="Per-role setting: temperature, max_tokens, seed, timeout_s, "
                                               "max_retries, base_url, max_in_flight (e.g. patient.temperature=0.7)."),
    concurrency: int = typer.Option(1, "--concurrency", "-j", min=1, help="Episodes run at the same time."),
    resume: int = typer.Option(None, "--resume", help="Finish run ID: keep its finished episodes, redo the rest. "
                                                      "Re-running an identical command does the same."),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="When resuming, redo failed episodes too."),
    fresh: bool = typer.Option(False, "--fresh", help="Start a new run even if an identical one exists."),
    shard: str = typer.Option(None, "--shard", metavar="I/N",
                              help="Run every N-th planned episode starting at the I-th; N processes with the "
                                   "same command and database fill one run."),
    max_in_flight: int = typer.Option(None, "--max-in-flight", min=1,
                                      help="Most calls in flight per model (server), whatever --concurrency is."),
    ray: str = typer.Option(None, "--ray", metavar="ADDRESS",
                            help="Run the episodes as Ray tasks: 'local' starts Ray here, 'auto' joins this "
                                 "machine's cluster, ray://HOST:10001 a remote one (extra 'ray')."),
    images: str = typer.Option("on-request", "--images", help="on-request, upfront or off."),
    prompts: str = typer.Option("default", "--prompts", help="Prompt set: default, agentclinic-v1 or a .yaml path."),
    doctor_interface: str = typer.Option(None, "--doctor-interface", metavar="text|json|tools",
                                         help="How a model doctor acts: the text protocol, JSON actions, or "
                                              "native tool calls. [default: text]"),
    structured: bool = typer.Option(False, "--structured", help="Deprecated: use --doctor-interface json."),
    cache: bool = typer.Option(False, "--cache", help="Reuse identical model responses stored in the database."),
    phrase_results: bool = typer.Option(False, "--phrase-results",
                                        help="Let a model measurement role reword results (numbers are checked)."),
    timeout: float = typer.Option(60.0, "--timeout", min=1, help="Seconds per model call attempt."),
    retries: int = typer.Option(4, "--retries", min=0, help="Retries per model call on transient errors."),
    doctor_bias: str = typer.Option(None, "--doctor-bias", help="Doctor biases to sweep: ids, 'all' or 'none' "
                                                                 "(comma-separated)."),
    patient_bias: str = typer.Option(None, "--patient-bias", help="Patient biases to sweep (ids, 'all', 'none')."),
    temperament: str = typer.Option(None, "--temperament", help="Temperaments to sweep, e.g. anxious,stoic or "
                                                                 "literacy=low."),
    anchor: str = typer.Option("cancer", "--anchor", help="The condition cognitive biases anchor on."),
    persona: str = typer.Option(None, "--persona", help="Stored persona stack id(s), comma-separated."),
    swap: str = typer.Option(None, "--swap", help="Run each case once per value of a demographic field "
                                                  "(sex, age, race, gender, occupation)."),
    doctor_tools: str = typer.Option(None, "--doctor-tools", metavar="TOOLS",
                                     help="Doctor tools: cot, reflect, rag, notebook, experience. 'cot,reflect' "
                                          "composes them; with 'none' or '+' it is a sweep: "
                                          "none,rag,rag+notebook runs each condition (paired seeds)."),
    rag_corpus: str = typer.Option(None, "--rag-corpus", metavar="DIR",
                                   help="Folder of .md/.txt files the rag tool searches. [default: the bundled "
                                        "condition summaries]"),
    rag_retriever: str = typer.Option("bm25", "--rag-retriever",
                                      help="bm25, or embedding:<local sentence-transformers model folder>."),
    rag_top_k: int = typer.Option(3, "--rag-top-k", min=1, help="Passages returned per search."),
    experience_run: int = typer.Option(None, "--experience-run", metavar="RUN_ID",
                                       help="Run whose correct episodes the experience tool shows as examples."),
    experience_rule: str = typer.Option("similar", "--experience-rule",
                                        help="Which example: similar (closest chief complaint) or random (seeded)."),
    doctor_language: str = typer.Option(None, "--doctor-language", metavar="LANG",
                                        help="The doctor's language when it is not the case's (en, zh, hi, ko, es, "
                                             "fr, fa): the cross-language setting."),
    multiple_choice: bool = typer.Option(False, "--multiple-choice",
                                         help="Show the doctor the answer options (diagnosis + distractors)."),
    missing: str = typer.Option("default-normal", "--missing",
                                help="What a test the case lacks returns: default-normal or unavailable."),
    survey: bool = typer.Option(True, "--survey/--no-survey",
                                help="Ask the patient to rate the doctor after each episode."),
    max_failures: str = typer.Option(None, "--max-failures", metavar="N|P%",
                                     help="Failed episodes tolerated before the exit code is 1 (e.g. 3 or 5%). "
                                          "[default: 0]"),
    db: str = DbOption,
    as_json: bool = JsonOption,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    from ..agents.registry import RoleSettings
    from ..runner import RunConfig

    with user_errors():
        tolerance = parse_tolerance(max_failures)
        role_options = parse_role_options(role_option or [])
        for role, url in (("doctor", doctor_base_url), ("patient", patient_base_url),
                          ("measurement", measurement_base_url), ("assessor", assessor_base_url)):
            if url:
                role_options.setdefault(role, {})["base_url"] = url
        settings = RoleSettings(prompts=prompts, structured=structured, base_url=base_url, temperature=temperature,
                                max_tokens=max_tokens, timeout_s=timeout, max_retries=retries,
                                phrase_results=phrase_results, missing=missing, cache=cache, per_role=role_options,
                                max_in_flight=max_in_flight, doctor_interface=doctor_interface)
        if structured:
            err_console.print("--structured is deprecated: use --doctor-interface json.")
        config = RunConfig(
            scenarios=scenarios, scenario_ids=scenario or None, limit=limit, seed=seed, trials=trials,
            max_turns=max_turns, multiple_choice=multiple_choice, images=images, db=db,
            doctor=doctor or model or "baseline", patient=patient or model or "scripted",
            measurement=measurement or model or "scripted", assessor=assessor or model or "scripted",
            roles=settings, personas=sweep_personas(doctor_bias, patient_bias, temperament, anchor, persona),
            swap=swap, survey=survey, concurrency=concurrency, resume=resume, retry_failed=retry_failed,
            fresh=fresh, shard=shard, doctor_tools=doctor_tools, rag_corpus=rag_corpus, rag_retriever=rag_retriever,
            rag_top_k=rag_top_k, experience_run=experience_run, experience_rule=experience_rule,
            doctor_language=doctor_language)
        config.validate()
        executor = _ray_executor(ray, config) if ray else None
    started = time.perf_counter()
    with user_errors():
        result = _run_with_progress(config, show=not (quiet or as_json), executor=executor)
    elapsed = time.perf_counter() - started
    if as_json:
        print_json(_summary_json(result, config, elapsed))
    else:
        _print_summary(result, config, elapsed)
    _exit_code(result, config, tolerance)


def _exit_code(result: BatchResult, config: RunConfig, tolerance: tuple[int, bool]) -> None:
    """130 when stopped, 1 when more episodes failed than --max-failures allows, else 0."""
    for line in failure_lines(result.outcomes, _servers(config)):
        err_console.print(escape(line), highlight=False)
    if result.lease_lost:
        err_console.print(f"Run {result.run_id} was taken over by another process after this one stalled past the "
                          "lease TTL; this process stopped and the run goes on there.")
    if result.interrupted:
        console.print("Interrupted: the same command (or --resume RUN_ID) finishes the run.")
        raise typer.Exit(130)
    failed = sum(o.status == "failed" for o in result.outcomes)
    if too_many(failed, len(result.outcomes), tolerance):
        raise typer.Exit(1)


def _servers(config: RunConfig) -> list[str]:
    """The model servers this run used, without credentials (named next to connection errors)."""
    from ..llm.redact import redact_url

    urls = [config.roles.base_url] + [options.get("base_url") for options in config.roles.per_role.values()]
    return sorted({redact_url(url.strip()) for value in urls if value for url in value.split(",")})


_ROLE_KEYS = {"temperature": float, "max_tokens": int, "seed": int, "timeout_s": float, "max_retries": int,
              "base_url": str, "max_in_flight": int}


def parse_role_options(items: list[str]) -> dict[str, dict]:
    """``["patient.temperature=0.7"]`` -> ``{"patient": {"temperature": 0.7}}`` with clear errors."""
    options: dict[str, dict] = {}
    for item in items:
        key, sep, value = item.partition("=")
        role, dot, name = key.partition(".")
        if not sep or not dot or role not in ("doctor", "patient", "measurement", "assessor") \
                or name not in _ROLE_KEYS:
            raise ValueError(f"--role-option {item!r}: expected ROLE.KEY=VALUE with ROLE one of doctor, patient, "
                             f"measurement, assessor and KEY one of {', '.join(_ROLE_KEYS)}")
        try:
            options.setdefault(role, {})[name] = _ROLE_KEYS[name](value)
        except ValueError:
            raise ValueError(f"--role-option {item!r}: {name} must be a {_ROLE_KEYS[name].__name__}") from None
    return options


def _ray_executor(address: str, config: RunConfig) -> Executor:
    """The Ray executor for ``--ray ADDRESS``; mistakes (no ray, --shard too) are one-line errors."""
    from ..integrations.ray_executor import RayExecutor, check_config

    check_config(config)
    executor = RayExecutor(address)
    executor.connect(config.concurrency)  # before the run exists: an unreachable cluster leaves nothing behind
    return executor


def _run_with_progress(config: RunConfig, show: bool, executor: Executor | None = None) -> BatchResult:
    import asyncio

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from ..runner import run_batch
    from ..stopping import StopRequest, ctrl_c_stops

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

    stop = StopRequest()
    with progress, ctrl_c_stops(stop, lambda text: console.print(f"[yellow]{text}[/]")):
        return asyncio.run(run_batch(config, on_episode=on_episode, on_start=on_start, stop=stop, executor=executor))


def _print_summary(result: BatchResult, config: RunConfig, elapsed: float) -> None:
    from ..llm.redact import redact_url
    from ..report.formatting import NA, format_rate

    console.print(_outcomes_table(result, config))
    n = len(result.completed)
    correct = sum(o.correct for o in result.completed)
    failed = len(result.outcomes) - n
    costs = [o.cost_usd for o in result.completed]
    mean_cost = f"${sum(costs) / len(costs):,.0f}" if costs else NA
    console.print(
        f"Accuracy [bold]{format_rate(correct, n)}[/] over {n} completed episode(s)"
        + (f", [yellow]{failed} failed[/]" if failed else "")
        + f"; mean cost {mean_cost}; {elapsed:.1f} s."
    )
    calls = sum(o.llm_calls for o in result.outcomes)
    if calls or any(o.tokens for o in result.outcomes):
        spend = sum(o.llm_cost_usd for o in result.outcomes)
        unpriced = sorted({m for o in result.outcomes for m in o.unpriced_models})
        console.print(f"Model calls {calls}, tokens {sum(o.tokens for o in result.outcomes):,}, spend ${spend:,.4f}"
                      + (f" [yellow](prices unknown for {escape(', '.join(unpriced))}: counted as 0)[/]"
                         if unpriced else "") + ".")
    if result.resumed:
        console.print(f"Resumed run {result.run_id}: {result.resumed} episode(s) kept from before "
                      "(--fresh starts a new run).")
    console.print(f"Logged to {escape(redact_url(config.db) or '')} as run {result.run_id}. "
                  f"Transcripts: [cyan]agentclinic episodes list --run {result.run_id}[/]")


def _outcomes_table(result: BatchResult, config: RunConfig) -> FitTable:
    """One row per episode; the case id and the condition (swap, persona) are never cut."""
    from ..llm.sanitise import terminal_safe
    from ..report.formatting import FitTable, Label

    with_models = any(o.llm_calls or o.tokens for o in result.outcomes)
    with_conditions = any(o.swap or o.persona_id for o in result.outcomes)
    table = FitTable(f"Run {result.run_id}", key_prefix="C")
    table.add_column("case", ident=True, key_prefix="K")
    if with_conditions:
        table.add_column("condition", ident=True)
    table.add_column("outcome")
    table.add_column("diagnosis", free_text=True)
    for column in ["turns", "tests", "cost (USD)"] + (["tokens", "model $"] if with_models else []):
        table.add_column(column, justify="right")
    for o in result.outcomes:
        outcome = {True: "[green]correct[/]", False: "[red]wrong[/]"}[o.correct] if o.status == "completed" \
            else f"[yellow]{o.status}[/]"
        cells: list = [Label(terminal_safe(o.scenario_id), "" if config.trials == 1 else f" #{o.trial}")]
        if with_conditions:
            cells.append(terminal_safe(" · ".join(tag for tag in (o.swap, o.persona_id) if tag) or "neutral"))
        shown = terminal_safe(o.diagnosis or (o.error or "—").splitlines()[0][:60])
        cells += [outcome, escape(shown), str(o.turns), str(o.tests), f"{o.cost_usd:,.0f}"]
        cells += [f"{o.tokens:,}", f"{o.llm_cost_usd:.4f}"] if with_models else []
        table.add_row(*cells)
    return table


def _summary_json(result: BatchResult, config: RunConfig, elapsed: float) -> dict:
    from ..stats import wilson_interval

    n = len(result.completed)
    correct = sum(o.correct for o in result.completed)
    return {
        "run_id": result.run_id,
        "episodes": [vars(o) for o in result.outcomes],
        "completed": n,
        "failed": len(result.outcomes) - n,
        "accuracy": correct / n if n else None,  # None: no episode to measure
        "accuracy_ci95": list(wilson_interval(correct, n)) if n else None,
        "elapsed_s": round(elapsed, 3),
        "llm_calls": sum(o.llm_calls for o in result.outcomes),
        "tokens": sum(o.tokens for o in result.outcomes),
        "llm_cost_usd": sum(o.llm_cost_usd for o in result.outcomes),
        "interrupted": result.interrupted,
        "resumed_episodes": result.resumed,
    }
