"""Planned episodes as Ray tasks across a cluster (``agentclinic run --ray ADDRESS``).

The driver plans and opens the run exactly as a local run does (it holds the run's lease and
its heartbeat); only the working-through of the plan changes. Each planned episode becomes
one Ray task that rebuilds the roles from the run's configuration inside the worker, runs the
episode with :func:`agentclinic.runner.run_one` and writes it to the run's database itself
(a SQLite file on one machine, PostgreSQL across machines). The task returns the small
:class:`~agentclinic.runner.EpisodeOutcome`, which feeds the driver's progress bar and summary.

A worker that dies mid-episode (killed, out of memory, its node lost) is retried by Ray; each
attempt first settles what an earlier one left (:func:`settle_earlier_attempts`), so an
episode is recorded once. A task that keeps dying becomes a ``failed`` episode with its
reason, and the run goes on.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from ..agents.registry import ROLES
from ..llm.backends.base import MissingExtraError, require
from ..llm.spec import is_model_spec
from ..runner import EpisodeOutcome, RunConfig, outcome_from_row, run_one
from ..store import Episode, Store, StoreError

if TYPE_CHECKING:
    from ..roles import RoleSet
    from ..stopping import StopRequest
    from ..store.lease import Lease
    from ..validity.options import OptionDrawer

LOCAL = "local"  # the address that starts a Ray instance in this process instead of joining one
TASK_RETRIES = 2  # attempts after a worker's death before the episode is recorded as failed
_POLL_S = 0.25  # how often the driver looks at Ctrl-C and the lease while tasks run
_CANCEL_GRACE_S = 10.0  # time cancelled tasks get to mark their episodes abandoned


def require_ray() -> Any:
    """The ``ray`` module, or a one-line error naming the extra that brings it."""
    try:
        return require("ray", "ray", "--ray (episodes as Ray tasks)")
    except MissingExtraError as exc:  # a ValueError: the CLI prints it as one line
        raise ValueError(str(exc)) from exc


class RayExecutor:
    """Works through a run's plan as Ray tasks; pass it as ``run_batch(..., executor=...)``.

    ``address`` is ``local`` (start Ray here, with ``--concurrency`` CPUs when above 1),
    ``auto`` (the cluster this machine belongs to, as in a ``ray job submit`` entrypoint) or
    ``ray://host:10001`` (Ray Client). A process already connected to Ray keeps its connection.
    """

    def __init__(self, address: str = LOCAL, retries: int = TASK_RETRIES):
        require_ray()
        self.address, self.retries = address, retries
        self._started = False  # whether this executor started Ray (and so shuts it down)

    def connect(self, concurrency: int = 1) -> None:
        """Start or reach Ray now (else the run does it): the CLI calls this before the run's
        row exists, so an unreachable cluster leaves no run behind."""
        self._started = _connect(require_ray(), self.address, concurrency) or self._started

    async def __call__(self, todo: list, slots: list, config: RunConfig, roles: RoleSet, store: Store, run_id: int,
                       drawer: OptionDrawer | None, stop: StopRequest, lease: Lease,
                       on_episode: Callable[[EpisodeOutcome], None] | None) -> None:
        check_config(config)
        ray = require_ray()
        self.connect(config.concurrency)
        try:
            window = tasks_in_flight(config, int(ray.cluster_resources().get("CPU", 1)))
            await _drive(ray, todo, slots, _portable(config), store, run_id, drawer, stop, lease, on_episode,
                         window, self.retries)
        finally:
            if self._started:
                self._started = False
                ray.shutdown()


def check_config(config: RunConfig) -> None:
    """Settings that cannot work with Ray, refused in one line that says why."""
    config.validate()
    if any(config.doctor_tools):
        raise ValueError("--ray does not run doctor tools yet (their notebook and retriever live in one process); "
                         "drop --doctor-tools or --ray")
    if config.shard is not None:
        raise ValueError(f"--ray cannot be combined with --shard {config.shard}: Ray already spreads one run over "
                         "the whole cluster, while --shard splits it among separate processes; use one or the other")
    url = make_url(config.db)
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        raise ValueError(f"--ray needs a database its workers can reach, got {config.db!r} (an in-memory SQLite "
                         "database lives in one process); use a SQLite file on one machine or PostgreSQL")


def _connect(ray: Any, address: str, concurrency: int) -> bool:
    """Connect to (or start) Ray; True when this call started it (and so shuts it down)."""
    if ray.is_initialized():
        return False
    quiet = {"log_to_driver": False, "logging_level": logging.WARNING}  # worker logs would garble the bar
    try:
        if address == LOCAL:
            # "local" explicitly: with no address, Ray would join any cluster already running on this machine.
            ray.init(address=LOCAL, num_cpus=concurrency if concurrency > 1 else None, include_dashboard=False,
                     **quiet)
        else:
            ray.init(address=address, **quiet)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ValueError(f"--ray {address}: cannot start or reach Ray ({type(exc).__name__}: {exc}); expected "
                         "'local', 'auto' (a machine of a running cluster) or ray://HOST:10001") from exc
    return True


def tasks_in_flight(config: RunConfig, cluster_cpus: int) -> int:
    """How many episode tasks the driver keeps submitted at once.

    ``--concurrency`` above 1 sets it, else the cluster's CPUs. Every episode uses every role's
    model, and one episode makes one call at a time, so the strictest ``--max-in-flight`` of
    the model roles bounds the calls each model server sees, as it does in one process.
    """
    window = config.concurrency if config.concurrency > 1 else max(cluster_cpus, 1)
    settings = config.roles
    limits = [settings.per_role.get(role, {}).get("max_in_flight", settings.max_in_flight)
              for role in ROLES if isinstance(getattr(config, role), str) and is_model_spec(getattr(config, role))]
    return min([window, *(int(limit) for limit in limits if limit)])


def _portable(config: RunConfig) -> RunConfig:
    """The config as workers need it: a relative SQLite path made absolute (a worker's
    working directory is not the driver's)."""
    url = make_url(config.db)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return config
    return dataclasses.replace(config, db=url.set(database=str(Path(url.database).resolve())).render_as_string(
        hide_password=False))


async def _drive(ray: Any, todo: list, slots: list, config: RunConfig, store: Store, run_id: int,
                 drawer: OptionDrawer | None, stop: StopRequest, lease: Lease,
                 on_episode: Callable[[EpisodeOutcome], None] | None, window: int, retries: int) -> None:
    """Submit tasks while fewer than ``window`` are in flight; collect them as they finish."""
    task = ray.remote(episode_task).options(max_retries=retries, retry_exceptions=False)
    shared_config, shared_drawer = ray.put(config), ray.put(drawer)  # sent to each node once, not per task
    queue = iter(todo)
    pending: dict[Any, tuple[int, tuple]] = {}
    try:
        while True:
            while not (stop.requested or lease.lost) and len(pending) < window \
                    and (entry := next(queue, None)) is not None:
                index, item = entry
                pending[task.remote(shared_config, run_id, *item[:4], shared_drawer)] = (index, item)
            if not pending or stop.requested or lease.lost:
                return
            ready, _ = await asyncio.to_thread(ray.wait, list(pending), num_returns=1, timeout=_POLL_S)
            for ref in ready:
                index, item = pending.pop(ref)
                slots[index] = outcome = _collect(ray, ref, item, store, run_id, config, retries)
                if on_episode:
                    on_episode(outcome)
    finally:
        _cancel(ray, list(pending))


def _collect(ray: Any, ref: Any, item: tuple, store: Store, run_id: int, config: RunConfig,
             retries: int) -> EpisodeOutcome:
    """A finished task's outcome; a task that kept failing is recorded here as a failed episode."""
    try:
        return ray.get(ref)
    except ray.exceptions.RayTaskError as exc:
        if isinstance(exc.cause, StoreError):  # the log cannot be written: the run cannot go on
            raise exc.cause from None
        reason = f"{type(exc.cause).__name__}: {exc.cause}"
    except ray.exceptions.RayError as exc:  # the worker or its node died on every attempt
        reason = f"{type(exc).__name__}: the episode's Ray task failed {retries + 1} time(s): " \
                 f"{str(exc).strip().splitlines()[0] if str(exc).strip() else 'no reason given'}"
    return record_failure(store, run_id, config, item, reason)


def record_failure(store: Store, run_id: int, config: RunConfig, item: tuple, reason: str) -> EpisodeOutcome:
    """Record a planned episode whose task never returned as ``failed`` with ``reason``,
    replacing whatever its attempts left half-written."""
    from ..seeding import derive_seed

    scenario, trial, persona, swap = item[:4]
    kept = settle_earlier_attempts(store, run_id, item)
    if kept is not None:  # an attempt finished it before its worker died: nothing to redo
        return kept
    episode_id = store.start_episode(run_id, scenario, seed=derive_seed(config.seed, scenario.id, trial), trial=trial,
                                     max_turns=config.max_turns, persona=persona, swap=swap)
    store.end_episode(episode_id, "failed", reason)
    return EpisodeOutcome(episode_id, scenario.id, trial, "failed", False, None, scenario.diagnosis.name, 0, 0, 0.0,
                          reason, persona_id=persona.label() if persona else None, swap=swap)


def _cancel(ray: Any, refs: list) -> None:
    """Cancel tasks in flight (Ctrl-C, a lost lease, an error): each gets a KeyboardInterrupt,
    which marks its episode abandoned; the next run of the command redoes them."""
    if not refs:
        return
    for ref in refs:
        ray.cancel(ref)
    ray.wait(refs, num_returns=len(refs), timeout=_CANCEL_GRACE_S)


def settle_earlier_attempts(store: Store, run_id: int, item: tuple) -> EpisodeOutcome | None:
    """Before an attempt at a planned episode: the outcome an earlier attempt finished, if any;
    otherwise the rows earlier attempts left unfinished (a killed worker's ``running`` episode)
    are deleted, so the episode is recorded once. Only one attempt runs at a time (Ray retries
    after a death), and the driver's lease keeps other processes off the run."""
    scenario, trial, persona, swap = item[:4]
    with Session(store.engine) as session:
        rows = session.exec(select(Episode).where(
            Episode.run_id == run_id, Episode.scenario_id == scenario.id, Episode.trial == trial,
            Episode.persona_id == (persona.label() if persona else None), Episode.swap == swap,
        ).order_by(Episode.id)).all()  # type: ignore[arg-type]
    finished = next((row for row in rows if row.status in ("completed", "failed")), None)
    store.delete_episodes([row.id for row in rows if row is not finished])  # type: ignore[misc]
    return outcome_from_row(finished) if finished is not None else None


_STORES: dict[str, Store] = {}  # one per database per worker process: engines are reused across tasks


def episode_task(config: RunConfig, run_id: int, scenario, trial: int, persona, swap: str | None,
                 drawer: OptionDrawer | None) -> EpisodeOutcome:
    """One planned episode, run and recorded inside a Ray worker (the body of each Ray task).

    Roles are rebuilt here for each episode: model clients belong to one event loop, and
    every task runs its own."""
    from ..agents.registry import resolve_roles

    store = _STORES.get(config.db) or _STORES.setdefault(config.db, Store(config.db))
    kept = settle_earlier_attempts(store, run_id, (scenario, trial, persona, swap))
    if kept is not None:
        return kept
    roles = resolve_roles(config.doctor, config.patient, config.measurement, config.assessor,
                          settings=config.roles, cache=store)
    return asyncio.run(run_one(scenario, roles, store, run_id, config, trial, persona, swap, options=drawer))
