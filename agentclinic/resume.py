"""Resuming a run: which planned episodes are done, which must be redone.

An episode is identified by (case, trial, persona, swap) — the same key the plan is made of.
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

from .store import Episode, Store

# Settings that change how a run goes, not what it measures: a run that differs only in these
# is the same run (re-running it resumes it).
OPERATIONAL = frozenset({"concurrency", "resume", "retry_failed", "fresh", "db", "shard"})
OPERATIONAL_ROLE_SETTINGS = frozenset({"timeout_s", "max_retries", "max_in_flight", "cache"})

EpisodeKey = tuple[str, int, str | None, str | None]


def episode_key(scenario_id: str, trial: int, persona_id: str | None, swap: str | None) -> EpisodeKey:
    return scenario_id, trial, persona_id, swap


def identity(record: dict) -> dict:
    """A run's configuration without the operational settings, as stored (JSON types)."""
    record = json.loads(json.dumps(record, default=str))
    kept = {key: value for key, value in record.items() if key not in OPERATIONAL}
    if isinstance(kept.get("roles"), dict):
        kept["roles"] = {k: v for k, v in kept["roles"].items() if k not in OPERATIONAL_ROLE_SETTINGS}
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
        key = episode_key(row.scenario_id, row.trial, row.persona_id, row.swap)
        if mine is not None and key not in mine:
            continue
        if row.status in finished and key not in result.done:
            result.done[key] = row
        else:  # unfinished, retried, or a duplicate left by an older version
            result.redo.append(row.id)  # type: ignore[arg-type]
    return result

