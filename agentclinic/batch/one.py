"""Running and recording one episode of a batch (errors become data, never a crash)."""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from ..doctor_tools.context import EpisodeFeedback
from ..doctor_tools.events import ToolEvent, emit, tool_sink
from ..doctor_tools.runtime import Slot, ToolRuntime
from ..doctor_tools.selection import Condition
from ..episode import Episode, TurnRecord, run_episode
from ..image_cache import ImageCache
from ..llm.calls import CallRecord, CallTotals, call_sink
from ..persona import Persona
from ..roles import RoleSet
from ..scenario import Scenario
from ..seeding import derive_seed
from ..store import Store
from ..store.engine import write_error
from ..store.episode_rows import PendingRows
from ..validity.options import OptionDrawer
from .plan import tools_label

if TYPE_CHECKING:
    from ..runner import RunConfig

T = TypeVar("T")


@dataclass(frozen=True)
class EpisodeOutcome:
    """A finished episode, as the summary shows it."""

    episode_id: int
    scenario_id: str
    trial: int
    status: str
    correct: bool
    diagnosis: str | None
    correct_diagnosis: str
    turns: int
    tests: int
    cost_usd: float
    error: str | None = None
    llm_calls: int = 0
    tokens: int = 0
    llm_cost_usd: float = 0.0
    unpriced_models: tuple[str, ...] = ()
    persona_id: str | None = None
    swap: str | None = None
    doctor_tools: str | None = None


@dataclass(frozen=True)
class EpisodeTools:
    """One episode's doctor tools: which, the run's tool runtime and its notebook slot."""

    condition: Condition = ()
    runtime: ToolRuntime | None = None
    slot: Slot | None = None


def _sink(pending: PendingRows | None, totals: CallTotals):
    def sink(record: CallRecord) -> None:
        totals.add(record)
        if pending is not None:
            pending.call(record)

    return sink


def _tool_writer(pending: PendingRows | None, state: list[Episode]):
    """Log tool events, placed after the turns logged so far (``state`` holds the episode once made)."""
    def write(event: ToolEvent) -> None:
        if pending is not None:
            pending.tool(len(state[0].records) if state else 0, event)

    return write


async def run_one(scenario: Scenario, roles: RoleSet, store: Store | None, run_id: int | None,
                  config: RunConfig, trial: int = 0, persona: Persona | None = None,
                  swap: str | None = None, observer: Callable[[TurnRecord], None] | None = None,
                  options: OptionDrawer | None = None, tools: EpisodeTools | None = None) -> EpisodeOutcome:
    """Run and record one episode; its errors are recorded, not raised (a failure of the log
    itself is raised as :class:`StoreError`: nothing more could be recorded).

    The seed depends on the case and trial only, so the same case under different personas,
    swaps or doctor tools is a paired comparison. ``observer`` sees every turn as it is logged
    (the TUI shows the conversation from it). ``options`` draws multiple-choice options from
    the pack (by default from the case alone). ``tools`` are the doctor's tools.
    """
    try:
        return await _run_one(scenario, roles, store, run_id, config, trial, persona, swap, observer, options,
                              tools or EpisodeTools())
    except SQLAlchemyError as exc:  # the log cannot be written: the run cannot go on
        raise write_error(store.url if store else "", exc) from exc


async def _run_one(scenario: Scenario, roles: RoleSet, store: Store | None, run_id: int | None,
                   config: RunConfig, trial: int, persona: Persona | None, swap: str | None,
                   observer: Callable[[TurnRecord], None] | None, options: OptionDrawer | None,
                   tools: EpisodeTools) -> EpisodeOutcome:
    seed = derive_seed(config.seed, scenario.id, trial)
    episode_id = 0
    if store and run_id:  # interrupted while its row is written, the episode is marked abandoned
        start = partial(store.start_episode, run_id, scenario, seed=seed, trial=trial, max_turns=config.max_turns,
                        persona=persona, swap=swap, doctor_tools=tools_label(tools.condition))
        episode_id = await _off_loop(start, on_cancel=partial(_abandoned, store))
    with_persona = {"persona": persona} if persona is not None else {}
    totals = CallTotals()
    made: list[Episode] = []
    # Turns, calls and tool uses are written with the episode's end, in one transaction.
    pending = PendingRows(episode_id) if store and episode_id else None
    tokens = (call_sink.set(_sink(pending, totals)), tool_sink.set(_tool_writer(pending, made)))
    state: Episode | None = None
    try:
        choice = (options or OptionDrawer([scenario])).draw(scenario, seed) if config.multiple_choice else None
        context = await tools.runtime.prepare(tools.condition, scenario, scenario.objective, tools.slot) \
            if tools.runtime is not None and tools.condition else None
        state = Episode(
            scenario,
            roles.patient(scenario, derive_seed(seed, "patient"), **with_persona),
            roles.measurement(scenario, derive_seed(seed, "measurement")),
            roles.assessor(derive_seed(seed, "assessor")),
            max_turns=config.max_turns,
            answer_options=choice.options if choice else (),
            options_note=choice.note() if choice else None,
            images=config.images,
            survey=config.survey,
            doctor_language=config.doctor_language,
            image_fetcher=ImageCache().fetch,
            on_turn=_turn_writer(pending, observer),
        )
        made.append(state)
        with_tools = {"tools": context} if context is not None else {}
        doctor = roles.doctor(state.brief, derive_seed(seed, "doctor"), **with_persona, **with_tools)  # type: ignore[misc]
        await run_episode(state, doctor)
        if tools.runtime is not None:
            await _write_note(tools, doctor, state, scenario, episode_id)
    except (KeyboardInterrupt, asyncio.CancelledError):
        _abandon(tools)
        if store and pending:
            store.end_episode(episode_id, "abandoned", "interrupted by the user", state, pending.take(), totals)
        raise
    except SQLAlchemyError:
        _abandon(tools)
        raise  # not the episode's fault: the log itself failed
    except Exception as exc:  # noqa: BLE001 - a failing episode is data, not a crash
        _abandon(tools)
        error = f"{type(exc).__name__}: {exc}"
        if store and pending:
            await _off_loop(store.end_episode, episode_id, "failed",
                            error + "\n" + traceback.format_exc(limit=5), state, pending.take(), totals)
        return _outcome(episode_id, scenario, trial, state, totals, error, persona, swap, tools)
    finally:
        call_sink.reset(tokens[0])
        tool_sink.reset(tokens[1])
    if store and pending:
        await _off_loop(store.finish_episode, episode_id, state, pending.take(), totals)
    return _outcome(episode_id, scenario, trial, state, totals, None, persona, swap, tools)


async def _write_note(tools: EpisodeTools, doctor, state: Episode, scenario: Scenario, episode_id: int) -> None:
    """The doctor rewrites its notebook; a failure to do so is logged, never the episode's end."""
    feedback = EpisodeFeedback(state.diagnosis.diagnosis if state.diagnosis else None, scenario.diagnosis.name,
                               state.correct, state.turn)
    try:
        await tools.runtime.finish(tools.slot, doctor, feedback, episode_id, tools.condition)  # type: ignore[union-attr]
    except (SQLAlchemyError, asyncio.CancelledError):
        raise
    except Exception as exc:  # noqa: BLE001 - the diagnosis stands; the note carries over
        emit(ToolEvent("notebook-write", detail={"error": f"{type(exc).__name__}: {exc}"[:500]}))


def _abandon(tools: EpisodeTools) -> None:
    if tools.runtime is not None:
        tools.runtime.abandon(tools.slot)


def _turn_writer(pending: PendingRows | None,
                 observer: Callable[[TurnRecord], None] | None) -> Callable[[TurnRecord], None] | None:
    def write(record: TurnRecord) -> None:
        if pending is not None:
            pending.turn(record)
        if observer is not None:
            observer(record)

    return write if pending is not None or observer is not None else None


async def _off_loop(write: Callable[..., T], *args, on_cancel: Callable[[T], object] | None = None) -> T:
    """A database write in a worker thread, so other episodes' calls go on meanwhile.

    If the episode is cancelled while it waits, the write still finishes: the thread is
    shielded, ``on_cancel`` gets its result, and the cancellation is passed on once the rows
    are stored."""
    task = asyncio.ensure_future(asyncio.to_thread(write, *args))
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        result = await task
        if on_cancel is not None:
            on_cancel(result)
        raise


def _abandoned(store: Store, episode_id: int) -> None:
    store.end_episode(episode_id, "abandoned", "interrupted by the user")


def _outcome(episode_id: int, scenario: Scenario, trial: int, state: Episode | None, totals: CallTotals,
             error: str | None = None, persona: Persona | None = None, swap: str | None = None,
             tools: EpisodeTools | None = None) -> EpisodeOutcome:
    diagnosis = state.diagnosis.diagnosis if state and state.diagnosis else None
    return EpisodeOutcome(
        episode_id, scenario.id, trial, "failed" if error else "completed", bool(state and state.correct and not error),
        diagnosis, scenario.diagnosis.name, state.turn if state else 0, len(state.stats.tests) if state else 0,
        state.cost_usd if state else 0.0, error, totals.calls, totals.input_tokens + totals.output_tokens,
        round(totals.cost_usd, 6), tuple(sorted(totals.unpriced_models)), persona.label() if persona else None, swap,
        tools_label(tools.condition) if tools else None)


def outcome_from_row(row) -> EpisodeOutcome:
    """The summary line of an episode finished in an earlier session of the run."""
    return EpisodeOutcome(row.id, row.scenario_id, row.trial, row.status, bool(row.correct), row.diagnosis,
                          row.correct_diagnosis, row.turns, row.tests_ordered, row.cost_usd, row.error,
                          row.llm_calls, row.input_tokens + row.output_tokens, row.llm_cost_usd,
                          tuple(row.llm_unpriced), row.persona_id, row.swap, row.doctor_tools)
