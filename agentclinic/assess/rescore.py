"""Re-scoring logged episodes with other assessors, without re-running them.

Every judgement is added as a new ``assessment`` row (source ``rescore``), so a run keeps
the history of who judged it and when. The deterministic matcher always takes part as the
reference, so agreement with it is reported for any judge.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..agents.registry import RoleSettings, build
from ..llm.calls import CallRecord, call_sink
from ..loader import load_pack
from ..report.statistics import cohen_kappa, percent_agreement
from ..roles import Assessment, AssessorAgent
from ..scenario import Scenario
from ..seeding import derive_seed
from ..store import Episode, Store
from ..store.recorder import assessment_row
from .differential import differential_rank
from .panel import PanelMode, combine

REFERENCE = "scripted"


@dataclass(frozen=True)
class Agreement:
    first: str
    second: str
    n: int
    agreement: float
    kappa: float | None


@dataclass
class RescoreResult:
    run_id: int
    assessors: list[str]
    decisions: dict[str, list[bool]] = field(default_factory=dict)  # assessor -> per scored episode
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (episode id, why)

    @property
    def scored(self) -> int:
        return len(next(iter(self.decisions.values()), []))

    def accuracy(self, name: str) -> float:
        votes = self.decisions.get(name, [])
        return sum(votes) / len(votes) if votes else 0.0

    def agreement(self) -> list[Agreement]:
        """Pairwise agreement and Cohen's kappa between every two assessors."""
        rows = []
        for first, second in itertools.combinations(self.decisions, 2):
            a, b = self.decisions[first], self.decisions[second]
            rows.append(Agreement(first, second, len(a), percent_agreement(a, b), cohen_kappa(a, b)))
        return rows


class CaseSource:
    """The case of a logged episode: its snapshot, else the pack the run named."""

    def __init__(self, store: Store, pack_source: str):
        self.store, self.pack_source = store, pack_source
        self._pack = None

    def get(self, episode: Episode) -> Scenario | None:
        if (scenario := self.store.case(episode.case_digest)) is not None:
            return scenario
        if episode.swap:  # a swapped variant differs from the pack's file
            return None
        try:
            self._pack = self._pack or load_pack(self.pack_source)
            return self._pack.get(episode.scenario_id)
        except (KeyError, ValueError, OSError):
            return None


@dataclass
class Judges:
    """The judges of a re-scoring, combined into a panel when there are several."""

    factories: list[Callable[[int], AssessorAgent]]
    mode: PanelMode
    reference: Callable[[int], AssessorAgent] | None  # the matcher, when not already a judge

    async def assess(self, diagnosis: str | None, scenario: Scenario, seed: int) -> list[Assessment]:
        votes = [await make(seed).assess(diagnosis, scenario) for make in self.factories]
        results = list(votes)
        if len(votes) > 1:  # the panel reuses the votes: each judge is asked once
            results.append(combine(votes, diagnosis, scenario, self.mode))
        if self.reference is not None:
            results.append(await self.reference(seed).assess(diagnosis, scenario))
        return results


def build_judges(specs: Sequence[str], mode: PanelMode, settings: RoleSettings, store: Store) -> Judges:
    if not specs:
        raise ValueError("name at least one assessor (e.g. 'scripted' or a model spec)")
    factories = [build("assessor", spec, settings, store) for spec in specs]
    reference = None if REFERENCE in specs else build("assessor", REFERENCE, settings, store)
    return Judges(factories, mode, reference)


async def rescore_run(store: Store, run_id: int, specs: Sequence[str] = (REFERENCE,), *,
                      mode: PanelMode = "majority", settings: RoleSettings | None = None,
                      on_episode: Callable[[int], None] | None = None) -> RescoreResult:
    """Judge every completed episode of ``run_id`` again with ``specs``; rows are added."""
    run = store.run(run_id)
    if run is None:
        raise ValueError(f"no run {run_id} in {store.url}; see `agentclinic runs list`")
    judges = build_judges(specs, mode, settings or RoleSettings(), store)
    cases = CaseSource(store, run.scenarios)
    result = RescoreResult(run_id, [])
    for episode in store.episodes(run_id, status="completed"):
        scenario = cases.get(episode)
        if scenario is None:
            result.skipped.append((episode.id, "its case is neither in the log nor in the pack"))
            continue
        assessments = await _judge(store, episode, scenario, judges)
        rank = differential_rank(episode.diagnosis, episode.differential, scenario)
        store.add_assessments(assessment_row(episode.id, a, rank, "rescore") for a in assessments)  # type: ignore[arg-type]
        for assessment in assessments:
            result.decisions.setdefault(assessment.assessor, []).append(assessment.correct)
        if on_episode:
            on_episode(episode.id)  # type: ignore[arg-type]
    result.assessors = list(result.decisions)
    return result


async def _judge(store: Store, episode: Episode, scenario: Scenario, judges: Judges) -> list[Assessment]:
    def sink(record: CallRecord) -> None:  # model calls are logged against the episode judged
        store.record_call(episode.id, record)

    token = call_sink.set(sink)
    try:
        return await judges.assess(episode.diagnosis, scenario, derive_seed(episode.seed or 0, "assessor"))
    finally:
        call_sink.reset(token)
