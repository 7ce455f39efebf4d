"""The batch engine: runs a doctor over a pack's cases and records every episode.

One failing episode never stops a run: it is recorded as ``failed`` with its reason and the
run goes on; only a log that cannot be written stops it. A :class:`StopRequest` (Ctrl-C in
the CLI) starts no new episode and cancels those in flight, marked ``abandoned``. The run is
executed under a lease (see :mod:`agentclinic.store.lease`), so no other process runs it too.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError

from .agents.registry import RoleSettings, resolve_roles
from .batch.one import EpisodeOutcome, EpisodeTools, outcome_from_row, run_one
from .batch.plan import PlanItem, episode_plan, my_share, plan_key, shard_of
from .batch.tooling import attach_run, check_tools, tool_runtime
from .doctor_tools.selection import Condition, parse_conditions
from .episode import DEFAULT_MAX_TURNS, IMAGE_MODES
from .language import LANGUAGES, get_language
from .loader import Pack, load_pack
from .paths import DEFAULT_DB_URL, DEFAULT_PACK
from .persona import Persona
from .resume import open_run
from .roles import RoleSet
from .scenario import Scenario
from .stats import wilson_interval
from .stopping import StopRequest
from .store import Store, StoreError
from .store.lease import Lease
from .validity.options import OptionDrawer

__all__ = ["BatchResult", "EpisodeOutcome", "Executor", "PlanItem", "RunConfig", "episode_plan",
           "outcome_from_row", "run_batch", "run_one", "shard_of"]


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
    # Doctor tools (agentclinic.doctor_tools): conditions to run, e.g. [("rag",), ("rag", "notebook")]
    # or the --doctor-tools text ("cot,reflect" composes; "none,rag,rag+notebook" sweeps).
    doctor_tools: list[Condition] | str = field(default_factory=lambda: [()])
    rag_corpus: str | None = None  # a folder of .md/.txt files; None: the bundled condition summaries
    rag_retriever: str = "bm25"  # or embedding:<local sentence-transformers model path>
    rag_top_k: int = 3
    experience_run: int | None = None  # the run whose correct episodes are worked examples
    experience_rule: str = "similar"  # or random (seeded)
    doctor_language: str | None = None  # the doctor's language when it is not the case's (e.g. "en")

    def validate(self) -> None:
        if isinstance(self.doctor_tools, str) or self.doctor_tools is None:
            self.doctor_tools = parse_conditions(self.doctor_tools)
        else:
            self.doctor_tools = [tuple(c) for c in self.doctor_tools] or [()]
        check_tools(self)
        if self.doctor_language is not None and get_language(self.doctor_language) is None:
            raise ValueError(f"doctor_language must be one of {', '.join(LANGUAGES)}, got {self.doctor_language!r}")
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
    plan = my_share(full_plan, config.shard)
    runtime = tool_runtime(config, plan, store)
    run_id, done, lease = open_run(config, _config_record(config), {plan_key(item) for item in plan},
                                   len(full_plan), roles.bindings, store)
    try:
        result = BatchResult(run_id)
        todo = [(index, item) for index, item in enumerate(plan) if plan_key(item) not in done]
        slots: list[EpisodeOutcome | None] = [None] * len(plan)
        for index, item in enumerate(plan):
            if (row := done.get(plan_key(item))) is not None:
                slots[index] = outcome_from_row(row)
        attach_run(runtime, config, plan, done, store, run_id)
        if on_start:
            on_start(len(todo))
        try:
            await work(todo, slots, config, roles, store, run_id, drawer, stop, lease, on_episode,
                       **({"tools": runtime} if runtime is not None else {}))
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
                        on_episode: Callable[[EpisodeOutcome], None] | None, tools=None) -> None:
    """Run the planned episodes on ``config.concurrency`` workers until done or stopped.

    Workers take episodes in plan order (the notebook's order relies on it)."""
    queue = iter(todo)  # shared by the workers; taking the next item never awaits
    failure: list[BaseException] = []

    async def worker() -> None:
        for index, (scenario, trial, persona, swap, condition) in queue:
            if stop.requested or lease.lost:
                return
            episode_tools = EpisodeTools(condition, tools, tools.slot(index) if tools else None)
            try:
                slots[index] = outcome = await run_one(scenario, roles, store, run_id, config, trial, persona, swap,
                                                       options=drawer, tools=episode_tools)
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


def _config_record(config: RunConfig) -> dict:
    record = dataclasses.asdict(config)
    for role in ("doctor", "patient", "measurement", "assessor"):
        if callable(record[role]):  # a Python factory: store its name (the run's bindings say the same)
            record[role] = f"python:{getattr(record[role], '__qualname__', type(record[role]).__name__)}"
    record["personas"] = [p.model_dump(mode="json") for p in config.personas]
    record["doctor_tools"] = [list(condition) for condition in config.doctor_tools]
    record.pop("db", None)  # a URL may carry a password; the run row lives in that database anyway
    from .llm.redact import redact_role_settings

    record["roles"] = redact_role_settings(record["roles"])  # server URLs may carry a password or key too
    return record
