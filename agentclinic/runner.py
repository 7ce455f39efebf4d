"""The batch engine: runs a doctor over a pack's cases and records every episode.

One failing episode never stops a run: it is recorded as ``failed`` with its reason and the
run goes on; only a log that cannot be written stops it. A :class:`StopRequest` (Ctrl-C in
the CLI) starts no new episode and cancels those in flight, marked ``abandoned``. The run is
executed under a lease (see :mod:`agentclinic.store.lease`), so no other process runs it too.
"""

from __future__ import annotations

import asyncio
import dataclasses
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError

from .agents.registry import RoleSettings, resolve_roles
from .episode import DEFAULT_MAX_TURNS, IMAGE_MODES, Episode, TurnRecord, run_episode
from .llm.calls import CallRecord, CallTotals, call_sink
from .image_cache import ImageCache
from .loader import Pack, load_pack
from .persona import Persona, swap_variants
from .paths import DEFAULT_DB_URL, DEFAULT_PACK
from .roles import RoleSet
from .scenario import Scenario
from .resume import EpisodeKey, episode_key, open_run
from .seeding import derive_seed
from .stats import wilson_interval
from .store import Store, StoreError
from .store.engine import write_error
from .store.lease import Lease
from .stopping import StopRequest
from .validity.options import OptionDrawer


@dataclass
class RunConfig:
    """Everything that defines a batch run; stored with the run so it can be reproduced."""

    scenarios: str = DEFAULT_PACK
    scenario_ids: list[str] | None = None
    limit: int | None = None
    seed: int = 0
    trials: int = 1
    max_turns: int = DEFAULT_MAX_TURNS
    multiple_choice: bool = False
    images: str = "on-request"
    db: str = DEFAULT_DB_URL
    doctor: str = "baseline"
    patient: str = "scripted"
    measurement: str = "scripted"
    assessor: str = "scripted"
    roles: RoleSettings = field(default_factory=RoleSettings)  # prompts, models' settings, cache, ...
    personas: list[Persona] = field(default_factory=list)  # conditions to sweep; none = one neutral run
    swap: str | None = None  # demographic field to vary (personas/swaps.yaml)
    survey: bool = True  # the patient rates the doctor after each episode
    concurrency: int = 1  # episodes in flight at once (model calls are awaited, so they overlap)
    resume: int | None = None  # a run id to finish; None: resume an identical earlier run, if any
    fresh: bool = False  # start a new run even when an identical one exists
    retry_failed: bool = False  # on resume, also redo episodes that failed
    shard: str | None = None  # "i/n": run only every n-th planned episode, starting at the i-th (1-based)

    def validate(self) -> None:
        if self.max_turns < 1:
            raise ValueError(f"max_turns must be at least 1, got {self.max_turns}")
        if self.shard is not None:
            shard_of(self.shard)
        if self.concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {self.concurrency}")
        if self.trials < 1:
            raise ValueError(f"trials must be at least 1, got {self.trials}")
        if self.limit is not None and self.limit < 1:
            raise ValueError(f"limit must be at least 1, got {self.limit}")
        if self.roles.missing not in ("default-normal", "unavailable"):
            raise ValueError(f"missing must be 'default-normal' or 'unavailable', got {self.roles.missing!r}")
        if self.images not in IMAGE_MODES:
            raise ValueError(f"images must be one of {', '.join(IMAGE_MODES)}, got {self.images!r}")


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


# Works through a run's plan: (todo, slots, config, roles, store, run_id, drawer, stop, lease, on_episode)
# fills ``slots[index]`` for each ``(index, item)`` of ``todo``; see _work_through.
Executor = Callable[..., Awaitable[None]]


@dataclass
class BatchResult:
    run_id: int
    outcomes: list[EpisodeOutcome] = field(default_factory=list)
    interrupted: bool = False  # stopped before its plan was done (Ctrl-C, or the lease was lost)
    lease_lost: bool = False  # another process took the run over after this one stalled past the lease TTL
    resumed: int = 0  # episodes kept from an earlier session of the same run

    @property
    def completed(self) -> list[EpisodeOutcome]:
        return [o for o in self.outcomes if o.status == "completed"]

    def accuracy(self) -> tuple[float | None, float, float, int]:
        """(accuracy, low, high, n) over completed episodes, with a Wilson 95% interval; the
        accuracy is None when no episode completed (0% would read as a measured failure)."""
        done = self.completed
        correct = sum(o.correct for o in done)
        low, high = wilson_interval(correct, len(done))
        return (correct / len(done) if done else None), low, high, len(done)


def select_scenarios(pack: Pack, config: RunConfig) -> list[Scenario]:
    scenarios = pack.scenarios
    if config.scenario_ids:
        scenarios = [pack.get(sid) for sid in config.scenario_ids]
    return scenarios[: config.limit] if config.limit else scenarios


def _sink(store: Store | None, episode_id: int, totals: CallTotals):
    def sink(record: CallRecord) -> None:
        totals.add(record)
        if store is not None and episode_id:
            store.record_call(episode_id, record)

    return sink


async def run_one(scenario: Scenario, roles: RoleSet, store: Store | None, run_id: int | None,
                  config: RunConfig, trial: int = 0, persona: Persona | None = None,
                  swap: str | None = None, observer: Callable[[TurnRecord], None] | None = None,
                  options: OptionDrawer | None = None) -> EpisodeOutcome:
    """Run and record one episode; its errors are recorded, not raised (a failure of the log
    itself is raised as :class:`StoreError`: nothing more could be recorded).

    The seed depends on the case and trial only, so the same case under different personas
    or swaps is a paired comparison. ``observer`` sees every turn as it is logged (the TUI
    shows the conversation from it). ``options`` draws multiple-choice options from the pack
    (by default from the case alone).
    """
    try:
        return await _run_one(scenario, roles, store, run_id, config, trial, persona, swap, observer, options)
    except SQLAlchemyError as exc:  # the log cannot be written: the run cannot go on
        raise write_error(store.url if store else "", exc) from exc


async def _run_one(scenario: Scenario, roles: RoleSet, store: Store | None, run_id: int | None,
                   config: RunConfig, trial: int, persona: Persona | None, swap: str | None,
                   observer: Callable[[TurnRecord], None] | None, options: OptionDrawer | None) -> EpisodeOutcome:
    seed = derive_seed(config.seed, scenario.id, trial)
    episode_id = store.start_episode(run_id, scenario, seed=seed, trial=trial, max_turns=config.max_turns,
                                     persona=persona, swap=swap) if store and run_id else 0
    with_persona = {"persona": persona} if persona is not None else {}
    totals = CallTotals()
    token = call_sink.set(_sink(store, episode_id, totals))
    state: Episode | None = None
    try:
        choice = (options or OptionDrawer([scenario])).draw(scenario, seed) if config.multiple_choice else None
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
            image_fetcher=ImageCache().fetch,
            on_turn=_turn_writer(store, episode_id, observer),
        )
        await run_episode(state, roles.doctor(state.brief, derive_seed(seed, "doctor"), **with_persona))  # type: ignore[misc]
    except (KeyboardInterrupt, asyncio.CancelledError):
        if store and episode_id:
            store.end_episode(episode_id, "abandoned", "interrupted by the user", state)
            store.record_totals(episode_id, totals)
        raise
    except SQLAlchemyError:
        raise  # not the episode's fault: the log itself failed
    except Exception as exc:  # noqa: BLE001 - a failing episode is data, not a crash
        error = f"{type(exc).__name__}: {exc}"
        if store and episode_id:
            store.end_episode(episode_id, "failed", error + "\n" + traceback.format_exc(limit=5), state)
            store.record_totals(episode_id, totals)
        return _outcome(episode_id, scenario, trial, state, totals, error, persona, swap)
    finally:
        call_sink.reset(token)
    if store and episode_id:
        store.finish_episode(episode_id, state)
        store.record_totals(episode_id, totals)
    return _outcome(episode_id, scenario, trial, state, totals, None, persona, swap)


def _turn_writer(store: Store | None, episode_id: int,
                 observer: Callable[[TurnRecord], None] | None) -> Callable[[TurnRecord], None] | None:
    def write(record: TurnRecord) -> None:
        if store is not None and episode_id:
            store.record_turn(episode_id, record)
        if observer is not None:
            observer(record)

    return write if (store is not None and episode_id) or observer is not None else None


def _outcome(episode_id: int, scenario: Scenario, trial: int, state: Episode | None, totals: CallTotals,
             error: str | None = None, persona: Persona | None = None, swap: str | None = None) -> EpisodeOutcome:
    diagnosis = state.diagnosis.diagnosis if state and state.diagnosis else None
    return EpisodeOutcome(
        episode_id, scenario.id, trial, "failed" if error else "completed", bool(state and state.correct and not error),
        diagnosis, scenario.diagnosis.name, state.turn if state else 0, len(state.stats.tests) if state else 0,
        state.cost_usd if state else 0.0, error, totals.calls, totals.input_tokens + totals.output_tokens,
        round(totals.cost_usd, 6), tuple(sorted(totals.unpriced_models)), persona.label() if persona else None, swap)


async def run_batch(config: RunConfig, *, pack: Pack | None = None, store: Store | None = None,
                    on_episode: Callable[[EpisodeOutcome], None] | None = None,
                    on_start: Callable[[int], None] | None = None, stop: StopRequest | None = None,
                    executor: Executor | None = None) -> BatchResult:
    """Run every selected case ``config.trials`` times; returns the outcomes and the run id.

    ``stop`` (see :mod:`agentclinic.stopping`) ends the run early: no new episodes, those in
    flight cancelled and marked ``abandoned``, the result marked ``interrupted``. ``executor``
    works through the planned episodes (default: ``config.concurrency`` asyncio workers here;
    :class:`agentclinic.integrations.ray_executor.RayExecutor` runs them as Ray tasks).
    """
    config.validate()
    pack = pack or load_pack(config.scenarios)
    scenarios = select_scenarios(pack, config)
    own_store = store is None
    store = store or Store(config.db)
    try:
        roles = resolve_roles(config.doctor, config.patient, config.measurement, config.assessor,
                              settings=config.roles, cache=store)
        if roles.doctor is None:
            raise ValueError("a batch run needs a doctor role spec (e.g. 'baseline')")
        drawer = None
        if config.multiple_choice:  # every case must get four options before anything runs
            drawer = OptionDrawer(pack.scenarios)
            drawer.check(scenarios)
        return await _run_plan(config, scenarios, roles, store, on_episode, on_start, drawer, stop or StopRequest(),
                               executor or _work_through)
    finally:
        if own_store:
            store.close()


async def _run_plan(config: RunConfig, scenarios: list[Scenario], roles: RoleSet, store: Store,
                    on_episode: Callable[[EpisodeOutcome], None] | None,
                    on_start: Callable[[int], None] | None, drawer: OptionDrawer | None,
                    stop: StopRequest, work: Executor) -> BatchResult:
    full_plan = episode_plan(config, scenarios)
    plan = _my_share(full_plan, config.shard)
    run_id, done, lease = open_run(config, _config_record(config), {_plan_key(item) for item in plan},
                                   len(full_plan), roles.bindings, store)
    try:
        result = BatchResult(run_id)
        todo = [(index, item) for index, item in enumerate(plan) if _plan_key(item) not in done]
        slots: list[EpisodeOutcome | None] = [None] * len(plan)
        for index, item in enumerate(plan):
            if (row := done.get(_plan_key(item))) is not None:
                slots[index] = outcome_from_row(row)
        if on_start:
            on_start(len(todo))
        try:
            await work(todo, slots, config, roles, store, run_id, drawer, stop, lease, on_episode)
        except (KeyboardInterrupt, asyncio.CancelledError):  # the caller cancelled us (not a stop request)
            result.outcomes = [o for o in slots if o is not None]
            result.interrupted = True
            _finish(store, run_id, len(full_plan), "interrupted")
            raise
        result.outcomes = [o for o in slots if o is not None]  # in plan order, whatever finished first
        result.resumed = len(plan) - len(todo)
        result.interrupted = stop.requested or lease.lost
        result.lease_lost = lease.lost
        # With shards, the run is complete when the last of them finishes. A lost lease means
        # another process runs it now: its status is that process's to set.
        if not lease.lost:
            _finish(store, run_id, len(full_plan), "interrupted" if result.interrupted else "partial")
        return result
    finally:
        lease.release()


async def _work_through(todo: list, slots: list, config: RunConfig, roles: RoleSet, store: Store, run_id: int,
                        drawer: OptionDrawer | None, stop: StopRequest, lease: Lease,
                        on_episode: Callable[[EpisodeOutcome], None] | None) -> None:
    """Run the planned episodes on ``config.concurrency`` workers until done or stopped."""
    queue = iter(todo)  # shared by the workers; taking the next item never awaits
    failure: list[BaseException] = []

    async def worker() -> None:
        for index, (scenario, trial, persona, swap) in queue:
            if stop.requested or lease.lost:
                return
            try:
                slots[index] = outcome = await run_one(scenario, roles, store, run_id, config, trial, persona, swap,
                                                       options=drawer)
            except StoreError as exc:  # the log cannot be written: nothing more can be recorded
                failure.append(exc)
                stop.request()
                return
            if on_episode:
                on_episode(outcome)

    loop = asyncio.get_running_loop()
    tasks = [asyncio.create_task(worker()) for _ in range(min(config.concurrency, len(todo)) or 1)]
    stop.on_request(lambda: loop.call_soon_threadsafe(_cancel, tasks))
    await asyncio.gather(*tasks, return_exceptions=True)
    if failure:
        raise failure[0]
    for task in tasks:
        if not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]


def _cancel(tasks: list[asyncio.Task]) -> None:
    for task in tasks:
        task.cancel()  # an episode awaiting a model call is abandoned now, its call cancelled


def _finish(store: Store, run_id: int, planned: int, otherwise: str) -> None:
    """A run whose planned episodes are all finished is completed, whatever happened after."""
    try:
        store.finish_run(run_id, "completed" if store.finished_count(run_id) >= planned else otherwise)
    except (StoreError, SQLAlchemyError):
        pass  # the log is unwritable (the error that stopped the run is already on its way up)


def shard_of(text: str) -> tuple[int, int]:
    """'2/4' -> (2, 4), with a clear error for anything else."""
    index, sep, count = text.partition("/")
    try:
        i, n = int(index), int(count)
    except ValueError:
        i, n = 0, 0
    if not sep or not 1 <= i <= n:
        raise ValueError(f"shard must look like i/n with 1 <= i <= n (e.g. 1/4), got {text!r}")
    return i, n


def _my_share(plan: list, shard: str | None) -> list:
    if shard is None:
        return plan
    i, n = shard_of(shard)
    return [item for index, item in enumerate(plan) if index % n == i - 1]


def _plan_key(item) -> EpisodeKey:
    scenario, trial, persona, swap = item
    return episode_key(scenario.id, trial, persona.label() if persona else None, swap)


def outcome_from_row(row) -> EpisodeOutcome:
    """The summary line of an episode finished in an earlier session of the run."""
    return EpisodeOutcome(row.id, row.scenario_id, row.trial, row.status, bool(row.correct), row.diagnosis,
                          row.correct_diagnosis, row.turns, row.tests_ordered, row.cost_usd, row.error,
                          row.llm_calls, row.input_tokens + row.output_tokens, row.llm_cost_usd,
                          tuple(row.llm_unpriced), row.persona_id, row.swap)


def episode_plan(config: RunConfig, scenarios: list[Scenario]):
    """(scenario, trial, persona, swap) for every episode: cases x swap values x personas x trials."""
    variants = [(None, s) for s in scenarios] if not config.swap else [
        (label, variant) for s in scenarios for label, variant in swap_variants(s, config.swap)]
    personas = config.personas or [None]
    return [(variant, trial, persona, label) for trial in range(config.trials) for label, variant in variants
            for persona in personas]


def _config_record(config: RunConfig) -> dict:
    record = dataclasses.asdict(config)
    for role in ("doctor", "patient", "measurement", "assessor"):
        if callable(record[role]):  # a Python factory: store its name (the run's bindings say the same)
            record[role] = f"python:{getattr(record[role], '__qualname__', type(record[role]).__name__)}"
    record["personas"] = [p.model_dump(mode="json") for p in config.personas]
    record.pop("db", None)  # a URL may carry a password; the run row lives in that database anyway
    from .llm.redact import redact_role_settings

    record["roles"] = redact_role_settings(record["roles"])  # server URLs may carry a password or key too
    return record
