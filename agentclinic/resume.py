"""Resuming a run: which run a command fills, which planned episodes are done, which are redone.

A run is filled under a lease (see :mod:`agentclinic.store.lease`). An episode is
identified by (case, trial, persona, swap, doctor tools) — the same key the plan is made of.
Finished episodes (``completed``, and ``failed`` unless failures are retried) are kept;
anything else (``running`` after a crash, ``abandoned`` after Ctrl-C, ``failed`` with
``retry_failed``) is deleted with its turns and calls and run again, so the final set of
episodes is exactly the plan, with no duplicates and no half-written rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .store import Episode, Store
from .store.lease import Lease

if TYPE_CHECKING:
    from .runner import RunConfig

# Settings that change how a run goes, not what it measures: a run that differs only in these
# is the same run (re-running it resumes it).
OPERATIONAL = frozenset({"concurrency", "resume", "retry_failed", "fresh", "db", "shard"})
OPERATIONAL_ROLE_SETTINGS = frozenset({"timeout_s", "max_retries", "max_in_flight", "cache"})

EpisodeKey = tuple[str, int, str | None, str | None, str | None]
# Run settings whose default means "as before they existed": left out of a run's identity at
# their default, so a run logged before them is still found by the same command.
_DEFAULTS_OMITTED = {"doctor_tools": [[]], "rag_corpus": None, "rag_retriever": "bm25", "rag_top_k": 3,
                     "experience_run": None, "experience_rule": "similar",
                     "doctor_language": None}


def episode_key(scenario_id: str, trial: int, persona_id: str | None, swap: str | None,
                doctor_tools: str | None = None) -> EpisodeKey:
    return scenario_id, trial, persona_id, swap, doctor_tools


def identity(record: dict) -> dict:
    """A run's configuration without the operational settings, as stored (JSON types)."""
    record = json.loads(json.dumps(record, default=str))
    kept = {key: value for key, value in record.items() if key not in OPERATIONAL
            and not (key in _DEFAULTS_OMITTED and value == _DEFAULTS_OMITTED[key])}
    if isinstance(kept.get("roles"), dict):
        roles = {k: v for k, v in kept["roles"].items() if k not in OPERATIONAL_ROLE_SETTINGS}
        # Runs logged before --doctor-interface existed said the same with `structured` alone:
        # an identical command must still find them.
        if roles.get("doctor_interface") == ("json" if roles.get("structured") else "text"):
            del roles["doctor_interface"]
        kept["roles"] = roles
    return kept


def identity_hash(record: dict) -> str | None:
    """A stable digest of a run's identity. Runs whose roles are Python factories have none
    that outlives the process, so they are never joined or resumed implicitly."""
    if any(str(record.get(role, "")).startswith("python:") for role in ("doctor", "patient", "measurement",
                                                                          "assessor")):
        return None
    return hashlib.sha256(json.dumps(identity(record), sort_keys=True).encode()).hexdigest()


@dataclass
class Resumption:
    run_id: int
    done: dict[EpisodeKey, Episode] = field(default_factory=dict)
    redo: list[int] = field(default_factory=list)  # episode ids to delete and run again


def resumption(store: Store, run_id: int, retry_failed: bool = False,
               mine: Collection[EpisodeKey] | None = None) -> Resumption:
    """What a resumed run keeps and what it redoes; ``mine`` limits both to one shard's
    episodes, so a shard never touches another's rows (they may be running right now)."""
    result = Resumption(run_id)
    finished = ("completed",) if retry_failed else ("completed", "failed")
    for row in store.episodes(run_id):
        key = episode_key(row.scenario_id, row.trial, row.persona_id, row.swap, row.doctor_tools)
        if mine is not None and key not in mine:
            continue
        if row.status in finished and key not in result.done:
            result.done[key] = row
        else:  # unfinished, retried, or a duplicate left by an older version
            result.redo.append(row.id)  # type: ignore[arg-type]
    return result


def open_run(config: RunConfig, record: dict, plan: Collection[EpisodeKey], planned: int, bindings: dict,
             store: Store) -> tuple[int, dict[EpisodeKey, Episode], Lease]:
    """The run to fill, the episodes of ``plan`` it already finished, and this process's lease on it.

    Identical experiments (see :mod:`agentclinic.resume`) share one run: a re-run resumes it
    and shards started together join it. The lease is taken before anything is deleted, so a
    second identical command never touches episodes a live process is running.
    """
    def create() -> int:
        return store.start_run(source="cli", scenarios=config.scenarios, seed=config.seed,
                               max_turns=config.max_turns, episodes_planned=planned,
                               bindings=bindings, config=record)

    if config.resume is not None:
        previous = store.run(config.resume)
        if previous is None:
            raise ValueError(f"no run {config.resume} to resume in {store.url}; see `agentclinic runs list`")
        if identity(previous.config) != identity(record):
            raise ValueError(f"run {config.resume} was made with other settings; resume it with exactly its "
                             "command line (only --concurrency, --timeout, --retries, --max-in-flight and "
                             "--shard may differ)")
        run_id = config.resume
    elif (digest := identity_hash(record)) is not None:
        made: list[int] = []

        def create_and_note() -> int:
            made.append(create())
            return made[-1]

        run_id = store.claim_run(digest, create_and_note, replace=config.fresh)
        if run_id in made:  # this process started the run: nothing to resume
            return run_id, {}, _leased(store, run_id, config.shard)
    else:
        run_id = create()
        return run_id, {}, _leased(store, run_id, config.shard)
    lease = _leased(store, run_id, config.shard)
    state = resumption(store, run_id, config.retry_failed, plan)
    store.delete_episodes(state.redo)
    store.reopen_run(run_id)
    return run_id, state.done, lease


def _leased(store: Store, run_id: int, shard: str | None) -> Lease:
    lease = Lease(store.engine, run_id, shard)
    lease.acquire()  # RunBusy (a ValueError: the CLI prints it as one line, exit 2) if another holds it
    return lease
