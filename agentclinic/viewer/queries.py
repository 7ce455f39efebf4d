"""The viewer's read model: runs and episode lists as plain records, a few queries per page.

Shared by the local server and the static export, so both show the same rows. Nothing here
writes to the log, and nothing here knows about HTML: escaping is the templates' job.
A list of 1,000 episodes costs one query for the episodes and one for the models they
called, never one query per row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from ..store import AssessmentRow, Episode, LLMCall, Run, Store
from .stored import binding_pairs, bound_specs

OUTCOMES = ("correct", "incorrect", "unscored", "failed", "abandoned", "running")


@dataclass(frozen=True)
class Tally:
    """How a set of episodes ended, and the accuracy of those the assessor judged."""

    total: int = 0
    correct: int = 0
    incorrect: int = 0
    unscored: int = 0
    failed: int = 0
    abandoned: int = 0
    running: int = 0

    @property
    def completed(self) -> int:
        return self.correct + self.incorrect + self.unscored

    @property
    def scored(self) -> int:
        return self.correct + self.incorrect

    @property
    def accuracy(self) -> float | None:
        """Share correct among judged episodes; None when none was judged (0% would mislead)."""
        return self.correct / self.scored if self.scored else None

    @classmethod
    def of(cls, outcomes: Iterable[str]) -> Tally:
        counts = Counter(outcomes)
        return cls(total=sum(counts.values()), **{name: counts.get(name, 0) for name in OUTCOMES})


@dataclass(frozen=True)
class RunRow:
    """One run in the runs list."""

    id: int
    source: str
    status: str
    scenarios: str
    started: str
    finished: str
    max_turns: int
    bindings: list[tuple[str, str]]
    tally: Tally


@dataclass(frozen=True)
class EpisodeRow:
    """One episode in a run's list: what a researcher scans and filters by."""

    id: int
    run_id: int
    case: str
    title: str
    specialty: str
    language: str
    trial: int
    condition: str
    outcome: str
    diagnosis: str
    correct_diagnosis: str
    turns: int
    tests: int
    cost_usd: float
    tokens: int
    duration_s: float | None
    error: str
    models: tuple[str, ...] = ()


@dataclass(frozen=True)
class Filters:
    """The episode list's filters (each None: no filter). Values come from the query string."""

    outcome: str | None = None
    case: str | None = None
    specialty: str | None = None
    condition: str | None = None
    model: str | None = None

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def parse(cls, params: dict[str, str] | Iterable[tuple[str, str]]) -> Filters:
        """Filters from query parameters; unknown names and empty values are ignored."""
        items = params.items() if isinstance(params, dict) else params
        known = {name: value.strip() for name, value in items if name in cls.names() and value and value.strip()}
        return cls(**known)

    def active(self) -> dict[str, str]:
        """The filters that are set, in a fixed order (for URLs and headings)."""
        return {name: getattr(self, name) for name in self.names() if getattr(self, name)}

    def keep(self, row: EpisodeRow) -> bool:
        return ((self.outcome is None or row.outcome == self.outcome)
                and (self.case is None or row.case == self.case)
                and (self.specialty is None or row.specialty == self.specialty)
                and (self.condition is None or row.condition == self.condition)
                and (self.model is None or self.model in row.models))

    def without(self, name: str) -> Filters:
        return replace(self, **{name: None})


NO_FILTERS = Filters()


@dataclass
class EpisodeList:
    """A run's episodes: all of them, the filtered ones, and the values each filter offers."""

    run: RunRow
    rows: list[EpisodeRow]
    filters: Filters
    shown: list[EpisodeRow] = field(default_factory=list)
    options: dict[str, list[str]] = field(default_factory=dict)

    @property
    def tally(self) -> Tally:
        """Counts and accuracy of the filtered episodes."""
        return Tally.of(row.outcome for row in self.shown)


def outcome(status: str, correct: bool | None) -> str:
    """One word for how an episode ended: its status, or for a completed one the verdict."""
    if status != "completed":
        return status if status in OUTCOMES else "failed"
    if correct is None:
        return "unscored"
    return "correct" if correct else "incorrect"


def outcome_of(row: Episode) -> str:
    return outcome(row.status, row.correct)


def condition_of(row: Episode) -> str:
    """The episode's condition within its run: persona stack, demographic swap, doctor tools."""
    parts = [row.persona_id or "neutral"]
    if row.swap:
        parts.append(row.swap)
    if row.doctor_tools and row.doctor_tools != "none":
        parts.append(f"tools:{row.doctor_tools}")
    return " · ".join(parts)


def stamp(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _tallies(store: Store, run_ids: Sequence[int]) -> dict[int, Tally]:
    """Outcome counts of many runs in one grouped query."""
    counts: dict[int, Counter] = {rid: Counter() for rid in run_ids}
    query = (select(Episode.run_id, Episode.status, Episode.correct, func.count())  # type: ignore[call-overload]
             .where(Episode.run_id.in_(list(run_ids)))  # type: ignore[attr-defined]
             .group_by(Episode.run_id, Episode.status, Episode.correct))
    with Session(store.engine) as session:
        for run_id, status, correct, n in session.exec(query).all():
            counts[run_id][outcome(status, correct)] += n
    return {rid: Tally.of(counter.elements()) for rid, counter in counts.items()}


def _run_row(run: Run, tally: Tally) -> RunRow:
    bindings = binding_pairs(run.bindings)  # a damaged row's bindings show as text
    return RunRow(id=run.id or 0, source=run.source, status=run.status, scenarios=run.scenarios,
                  started=stamp(run.started_at), finished=stamp(run.finished_at), max_turns=run.max_turns,
                  bindings=bindings, tally=tally)


def run_rows(store: Store, run_ids: Sequence[int] | None = None, limit: int = 1000) -> list[RunRow]:
    """Runs, newest first (those of ``run_ids`` only, when given), with their outcome counts."""
    runs = [r for r in (store.run(rid) for rid in run_ids) if r] if run_ids is not None else store.runs(limit)
    tallies = _tallies(store, [r.id for r in runs if r.id is not None])
    return [_run_row(run, tallies.get(run.id or 0, Tally())) for run in runs]


def run_row(store: Store, run_id: int) -> RunRow | None:
    found = run_rows(store, [run_id])
    return found[0] if found else None


def _models_of(store: Store, run_id: int) -> dict[int, set[str]]:
    """The models each episode of a run called (one query for the whole run)."""
    query = (select(LLMCall.episode_id, LLMCall.model).distinct()  # type: ignore[call-overload]
             .join(Episode, Episode.id == LLMCall.episode_id).where(Episode.run_id == run_id))
    found: dict[int, set[str]] = {}
    with Session(store.engine) as session:
        for episode_id, model in session.exec(query).all():
            found.setdefault(episode_id, set()).add(model)
    return found


def _bound_models(run: Run) -> set[str]:
    """Model specs the run bound to roles; the built-in scripted roles are not models."""
    return {spec for spec in bound_specs(run.bindings) if spec not in ("scripted", "baseline", "human")}


# What a list row needs: reading whole episodes would decode their JSON columns (persona,
# differential) a thousand times for nothing.
_LIST_COLUMNS = (Episode.id, Episode.run_id, Episode.scenario_id, Episode.scenario_title, Episode.specialty,
                 Episode.language, Episode.trial, Episode.persona_id, Episode.swap, Episode.doctor_tools,
                 Episode.status, Episode.correct, Episode.diagnosis, Episode.correct_diagnosis, Episode.turns,
                 Episode.tests_ordered, Episode.cost_usd, Episode.input_tokens, Episode.output_tokens,
                 Episode.duration_s, Episode.error)


def episode_row(row: Episode, models: Iterable[str] = ()) -> EpisodeRow:
    """A list row from an episode (or a result row holding the same named columns)."""
    error = (row.error or "").strip().splitlines()
    return EpisodeRow(id=row.id or 0, run_id=row.run_id, case=row.scenario_id, title=row.scenario_title,
                      specialty=row.specialty, language=row.language, trial=row.trial, condition=condition_of(row),
                      outcome=outcome_of(row), diagnosis=row.diagnosis or "", correct_diagnosis=row.correct_diagnosis,
                      turns=row.turns, tests=row.tests_ordered, cost_usd=row.cost_usd,
                      tokens=row.input_tokens + row.output_tokens, duration_s=row.duration_s,
                      error=error[0] if error else "", models=tuple(sorted(models)))


def episode_rows(store: Store, run: Run) -> list[EpisodeRow]:
    """Every episode of ``run`` in id order, each with the models it used."""
    called = _models_of(store, run.id or 0)
    bound = _bound_models(run)
    query = select(*_LIST_COLUMNS).where(Episode.run_id == run.id).order_by(Episode.id)  # type: ignore[call-overload]
    with Session(store.engine) as session:
        found = session.exec(query).all()
    return [episode_row(row, bound | called.get(row.id, set())) for row in found]


def _options(rows: Sequence[EpisodeRow]) -> dict[str, list[str]]:
    present = {row.outcome for row in rows}
    return {"outcome": [o for o in OUTCOMES if o in present],
            "case": sorted({row.case for row in rows}),
            "specialty": sorted({row.specialty for row in rows if row.specialty}),
            "condition": sorted({row.condition for row in rows}),
            "model": sorted({model for row in rows for model in row.models})}


def episode_list(store: Store, run_id: int, filters: Filters = NO_FILTERS) -> EpisodeList | None:
    """A run's episodes filtered by ``filters``; None when the run does not exist."""
    run = store.run(run_id)
    if run is None:
        return None
    rows = episode_rows(store, run)
    summary = _run_row(run, Tally.of(row.outcome for row in rows))
    return EpisodeList(run=summary, rows=rows, filters=filters, shown=[r for r in rows if filters.keep(r)],
                       options=_options(rows))


def neighbours(ids: Sequence[int], current: int) -> tuple[int | None, int | None]:
    """The ids before and after ``current`` in ``ids`` (None at either end, or when absent)."""
    try:
        at = list(ids).index(current)
    except ValueError:
        return None, None
    return (ids[at - 1] if at > 0 else None), (ids[at + 1] if at + 1 < len(ids) else None)


def report_version(store: Store, run_id: int) -> tuple | None:
    """What a run's report depends on, cheaply: it changes when an episode ends or is judged
    again (re-scoring adds assessments). None when the run does not exist."""
    row = run_row(store, run_id)
    if row is None:
        return None
    query = (select(func.count()).select_from(AssessmentRow)  # type: ignore[call-overload]
             .join(Episode, Episode.id == AssessmentRow.episode_id).where(Episode.run_id == run_id))
    with Session(store.engine) as session:
        judged = session.exec(query).one()
    return run_id, row.status, row.finished, row.tally, judged
